import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { scenariosListScenarios } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';
import { scenarioKeys } from './scenario-keys';

export interface ScenarioFilters {
  search: string;
  category: string | null;
  favoritesOnly: boolean;
}

/** GET /scenarios with the gallery's filters (the catalogue is small: one page of 200). */
export const scenariosQueryOptions = (filters: ScenarioFilters) =>
  queryOptions({
    queryKey: scenarioKeys.list(filters),
    queryFn: ({ signal }) =>
      unwrap(
        scenariosListScenarios({
          query: {
            search: filters.search || undefined,
            category: filters.category ?? undefined,
            favorites_only: filters.favoritesOnly || undefined,
            limit: 200,
          },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });

export function useScenarios(filters: ScenarioFilters) {
  return useQuery(scenariosQueryOptions(filters));
}
