import { useMutation } from '@tanstack/react-query';
import { scenariosMatchScenarios } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';

/** POST /scenarios/match: scenarios ranked for a first message, with the reason of each. */
export function useMatchScenarios() {
  return useMutation({
    mutationFn: (text: string) => unwrap(scenariosMatchScenarios({ body: { text } })),
  });
}
