import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sessionsDeleteSession } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';
import { forgetTurn } from '../turn/turn-store';
import { sessionKeys } from './sessions-keys';

/** DELETE /sessions/{id}: the session, its messages and files. */
export function useDeleteSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(sessionsDeleteSession({ path: { session_id: id } })),
    onSuccess: (_data, id) => {
      forgetTurn(id);
      queryClient.removeQueries({ queryKey: sessionKeys.detail(id) });
      return queryClient.invalidateQueries({ queryKey: sessionKeys.lists() });
    },
  });
}
