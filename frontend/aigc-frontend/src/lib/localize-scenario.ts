import type { ScenarioPublic } from '@/client/types.gen';

export interface LocalizedScenario {
  name: string;
  description: string;
  examplePrompts: string[];
}

/** The scenario's text in the UI language: its translation when there is one, else the original. */
export function localizeScenario(scenario: ScenarioPublic, language: string): LocalizedScenario {
  const translation = (scenario.translations?.[language] ?? {}) as Partial<{
    name: string;
    description: string;
    example_prompts: string[];
  }>;
  return {
    name: translation.name || scenario.name,
    description: translation.description || scenario.description,
    examplePrompts:
      Array.isArray(translation.example_prompts) && translation.example_prompts.length > 0
        ? translation.example_prompts
        : scenario.example_prompts,
  };
}
