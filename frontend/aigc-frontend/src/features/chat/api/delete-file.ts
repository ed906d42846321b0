import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sessionsDeleteFile } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';
import { sessionKeys } from './sessions-keys';

/** DELETE /sessions/{id}/files/{file_id}: take back an upload no message has sent (409 once one has). */
export function useDeleteFile(sessionId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (fileId: string) =>
      unwrap(sessionsDeleteFile({ path: { session_id: sessionId, file_id: fileId } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKeys.detail(sessionId) }),
  });
}
