import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sessionsRenameSession } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';
import { sessionKeys } from './sessions-keys';

/** PATCH /sessions/{id}: a new title. */
export function useRenameSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) =>
      unwrap(sessionsRenameSession({ path: { session_id: id }, body: { title } })),
    onSuccess: (_data, { id }) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: sessionKeys.lists() }),
        queryClient.invalidateQueries({ queryKey: sessionKeys.detail(id) }),
      ]),
  });
}
