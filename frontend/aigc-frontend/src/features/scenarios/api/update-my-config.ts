import { useMutation, useQueryClient } from '@tanstack/react-query';
import { scenariosUpdateMyConfig } from '@/client/sdk.gen';
import type { UserScenarioConfigUpdate } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';
import { scenarioKeys } from './scenario-keys';

/** PUT /scenarios/{id}/config: the user's favourite flag, extra instructions and model. */
export function useUpdateMyScenarioConfig() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UserScenarioConfigUpdate }) =>
      unwrap(scenariosUpdateMyConfig({ path: { scenario_id: id }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: scenarioKeys.all }),
  });
}
