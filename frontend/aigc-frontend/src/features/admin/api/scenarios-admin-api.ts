import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  scenariosCreateScenario,
  scenariosDeleteScenario,
  scenariosListScenarios,
  scenariosSetDefault,
  scenariosUpdateScenario,
  skillsListSkills,
} from '@/client/sdk.gen';
import type { ScenarioCreate, ScenarioUpdate } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';

// The gallery caches under ['scenarios', ...] too: editing here refreshes it.
const scenariosKey = ['scenarios'] as const;

/** GET /scenarios as an admin: every scenario, including private and disabled ones. */
export const adminScenariosQueryOptions = () =>
  queryOptions({
    queryKey: [...scenariosKey, 'admin'],
    queryFn: ({ signal }) => unwrap(scenariosListScenarios({ query: { limit: 200 }, signal })),
  });

export function useAdminScenarios() {
  return useQuery(adminScenariosQueryOptions());
}

/** The skills a scenario can use (id and name only). */
export function useSkillChoices() {
  return useQuery({
    queryKey: ['skills', 'choices'],
    queryFn: ({ signal }) => unwrap(skillsListSkills({ query: { limit: 200 }, signal })),
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: scenariosKey });
}

export function useCreateScenario() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (body: ScenarioCreate) => unwrap(scenariosCreateScenario({ body })), onSuccess: invalidate });
}

export function useUpdateScenario() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ScenarioUpdate }) =>
      unwrap(scenariosUpdateScenario({ path: { scenario_id: id }, body })),
    onSuccess: invalidate,
  });
}

export function useSetDefaultScenario() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => unwrap(scenariosSetDefault({ path: { scenario_id: id } })),
    onSuccess: invalidate,
  });
}

export function useDeleteScenario() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (id: string) => unwrap(scenariosDeleteScenario({ path: { scenario_id: id } })),
    onSuccess: invalidate,
  });
}
