import { queryOptions, useQuery } from '@tanstack/react-query';
import { scenariosGetScenario } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';

/** GET /scenarios/{id}: the scenario a new chat was started with (its name and example prompts). */
export const chatScenarioQueryOptions = (scenarioId: string) =>
  queryOptions({
    queryKey: ['scenarios', 'detail', scenarioId] as const,
    queryFn: ({ signal }) => unwrap(scenariosGetScenario({ path: { scenario_id: scenarioId }, signal })),
  });

export function useChatScenario(scenarioId: string | null) {
  return useQuery({ ...chatScenarioQueryOptions(scenarioId ?? ''), enabled: !!scenarioId });
}
