import { queryOptions, useQuery } from '@tanstack/react-query';
import { sessionsGetSession } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';
import { sessionKeys } from './sessions-keys';

/** GET /sessions/{id}: the session with its messages, artifacts and whether a turn runs. */
export const sessionQueryOptions = (sessionId: string) =>
  queryOptions({
    queryKey: sessionKeys.detail(sessionId),
    queryFn: ({ signal }) => unwrap(sessionsGetSession({ path: { session_id: sessionId }, signal })),
  });

export function useSession(sessionId: string | undefined) {
  return useQuery({ ...sessionQueryOptions(sessionId ?? ''), enabled: !!sessionId });
}
