import { useCallback } from 'react';
import { useNavigate } from 'react-router';
import { paths } from '@/config/paths';
import { useCreateSession } from '../api/create-session';
import { useTurnActions } from './use-turn-actions';

export interface StartChatInput {
  /** A scenario id, or "auto" to let the platform choose from the prompt. */
  scenarioId: string;
  prompt?: string;
  title?: string;
}

/** Creates a session, sends the first message when there is one, and opens the chat. */
export function useStartChat() {
  const create = useCreateSession();
  const { send } = useTurnActions();
  const navigate = useNavigate();
  const start = useCallback(
    async ({ scenarioId, prompt, title }: StartChatInput) => {
      const text = prompt?.trim() || undefined;
      const session = await create.mutateAsync({ scenario_id: scenarioId, first_message: text, title });
      if (text) void send(session.id, text);
      navigate(`${paths.chat}/${session.id}`);
      return session;
    },
    [create, send, navigate],
  );
  return { start, isPending: create.isPending, error: create.error, reset: create.reset };
}
