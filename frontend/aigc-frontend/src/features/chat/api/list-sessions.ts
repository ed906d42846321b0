import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { sessionsListSessions } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';
import { sessionKeys } from './sessions-keys';

export const SESSIONS_PAGE_SIZE = 100;

/** GET /sessions, page by page (offset/limit), most recently active first. */
export const sessionsInfiniteQueryOptions = (search: string) =>
  infiniteQueryOptions({
    queryKey: sessionKeys.list(search),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        sessionsListSessions({
          query: { search: search || undefined, offset: pageParam, limit: SESSIONS_PAGE_SIZE },
          signal,
        }),
      ),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((total, page) => total + page.items.length, 0);
      return loaded < last.count && last.items.length > 0 ? loaded : undefined;
    },
  });

export function useSessions(search = '') {
  return useInfiniteQuery(sessionsInfiniteQueryOptions(search));
}
