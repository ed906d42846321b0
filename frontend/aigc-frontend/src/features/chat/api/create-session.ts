import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sessionsCreateSession } from '@/client/sdk.gen';
import type { SessionCreate } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';
import { sessionKeys } from './sessions-keys';

/** POST /sessions: a scenario id, `auto` (chosen from the first message) or none for the default. */
export function useCreateSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: SessionCreate) => unwrap(sessionsCreateSession({ body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: sessionKeys.lists() }),
  });
}
