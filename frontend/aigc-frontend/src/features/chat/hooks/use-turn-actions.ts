import { useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import { sessionKeys } from '../api/sessions-keys';
import { attachTurn, sendMessage, stopTurn } from '../turn/turn-store';

/** send / attach / stop for a session's turn, refreshing the session's queries when a turn ends. */
export function useTurnActions() {
  const queryClient = useQueryClient();
  return useMemo(() => {
    const onSettled = (sessionId: string) => {
      void queryClient.invalidateQueries({ queryKey: sessionKeys.detail(sessionId) });
      void queryClient.invalidateQueries({ queryKey: sessionKeys.lists() });
    };
    return {
      send: (sessionId: string, text: string) => sendMessage(sessionId, text, { onSettled }),
      attach: (sessionId: string) => attachTurn(sessionId, { onSettled }),
      stop: (sessionId: string) => stopTurn(sessionId),
    };
  }, [queryClient]);
}
