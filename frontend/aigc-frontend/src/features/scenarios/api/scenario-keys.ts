/** Query keys of the scenarios domain. */
export const scenarioKeys = {
  all: ['scenarios'] as const,
  list: (filters: { search: string; category: string | null; favoritesOnly: boolean }) =>
    [...scenarioKeys.all, 'list', filters] as const,
};
