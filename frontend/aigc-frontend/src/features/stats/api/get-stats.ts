import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { statsGetStats } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';

export interface StatsRange {
  from: string | null;
  to: string | null;
}

/** GET /sessions/stats: totals, per day, per scenario (with satisfaction) and per model. */
export const statsQueryOptions = (range: StatsRange) =>
  queryOptions({
    queryKey: ['stats', range],
    queryFn: ({ signal }) =>
      unwrap(statsGetStats({ query: { date_from: range.from ?? undefined, date_to: range.to ?? undefined }, signal })),
    placeholderData: keepPreviousData,
  });

export function useStats(range: StatsRange) {
  return useQuery(statsQueryOptions(range));
}
