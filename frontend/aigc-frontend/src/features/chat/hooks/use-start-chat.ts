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

/** The new-chat page with a scenario picked: its session is created with the first message. */
export const newChatPath = (scenarioId: string) => `${paths.chat}?scenario=${encodeURIComponent(scenarioId)}`;

/**
 * With a first message: creates the session, sends the message and opens the chat. Without one: opens a
 * new chat with the scenario picked, and creates nothing, so History never fills with empty sessions.
 */
export function useStartChat() {
  const create = useCreateSession();
  const { send } = useTurnActions();
  const navigate = useNavigate();
  const start = useCallback(
    async ({ scenarioId, prompt, title }: StartChatInput) => {
      const text = prompt?.trim() || undefined;
      if (!text) {
        navigate(newChatPath(scenarioId));
        return null;
      }
      const session = await create.mutateAsync({ scenario_id: scenarioId, first_message: text, title });
      void send(session.id, text);
      navigate(`${paths.chat}/${session.id}`);
      return session;
    },
    [create, send, navigate],
  );
  return { start, isPending: create.isPending, error: create.error, reset: create.reset };
}
