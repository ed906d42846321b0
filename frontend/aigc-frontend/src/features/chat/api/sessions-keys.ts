/** Query keys of the sessions domain, so invalidations hit every list and detail. */
export const sessionKeys = {
  all: ['sessions'] as const,
  lists: () => [...sessionKeys.all, 'list'] as const,
  list: (search: string) => [...sessionKeys.lists(), { search }] as const,
  detail: (id: string) => [...sessionKeys.all, 'detail', id] as const,
  preview: (artifactId: string) => ['artifacts', 'preview', artifactId] as const,
};
