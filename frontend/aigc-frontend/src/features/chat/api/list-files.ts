import { queryOptions, useQuery } from '@tanstack/react-query';
import { sessionsListFiles } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';
import { sessionKeys } from './sessions-keys';

/** Under the session's detail key, so whatever refreshes the session refreshes its uploads too. */
export const sessionFilesKey = (sessionId: string) => [...sessionKeys.detail(sessionId), 'files'] as const;

/** GET /sessions/{id}/files: the user's uploads, sent (`message_id` set) or not yet. */
export const sessionFilesQueryOptions = (sessionId: string) =>
  queryOptions({
    queryKey: sessionFilesKey(sessionId),
    queryFn: ({ signal }) => unwrap(sessionsListFiles({ path: { session_id: sessionId }, signal })),
  });

export function useSessionFiles(sessionId: string | undefined) {
  return useQuery({ ...sessionFilesQueryOptions(sessionId ?? ''), enabled: !!sessionId });
}
