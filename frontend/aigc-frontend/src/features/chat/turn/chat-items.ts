import type { MessagePublic } from '@/client/types.gen';
import type { TurnUsage } from './events';
import type { ToolCallView, TurnState } from './turn-reducer';

/** One row of the conversation: a saved message, the text just sent, or the turn being streamed. */
export type ChatItem =
  | { kind: 'message'; key: string; message: MessagePublic }
  | { kind: 'pending-user'; key: string; text: string }
  | { kind: 'turn'; key: string; turn: TurnState };

/**
 * The saved messages with the live turn laid over them: the streamed turn replaces its saved (still
 * running) assistant row until the refreshed session has the finished one.
 */
export function chatItems(messages: MessagePublic[], turn: TurnState | undefined): ChatItem[] {
  const saved: ChatItem[] = messages.map((message) => ({ kind: 'message', key: message.id, message }));
  if (!turn) return saved;
  const savedAnswer = turn.assistantMessageId ? messages.find((m) => m.id === turn.assistantMessageId) : undefined;
  if (turn.phase === 'done' && savedAnswer && savedAnswer.status !== 'running') return saved;
  const items = saved.filter((item) => item.key !== turn.assistantMessageId);
  const userSaved = turn.userMessageId !== null && messages.some((m) => m.id === turn.userMessageId);
  if (turn.userText !== null && !userSaved) {
    items.push({ kind: 'pending-user', key: turn.userMessageId ?? 'pending-user', text: turn.userText });
  }
  items.push({ kind: 'turn', key: turn.assistantMessageId ?? 'pending-turn', turn });
  return items;
}

interface SavedToolCall {
  tool_use_id?: string;
  name?: string;
  input_summary?: string;
  result_summary?: string;
  is_error?: boolean;
  denied?: boolean;
  denial_reason?: string;
}

/** The tool calls saved with a message, in the shape the live turn uses. */
export function savedToolCalls(message: MessagePublic): ToolCallView[] {
  return (message.tool_calls as SavedToolCall[]).map((call, index) => ({
    id: call.tool_use_id ?? String(index),
    name: call.name ?? '?',
    input: call.input_summary ?? '',
    result: call.result_summary,
    isError: call.is_error,
    denied: call.denied,
    denialReason: call.denial_reason,
    finished: true,
  }));
}

/** The usage saved with a message, or null when the turn reported none. */
export function savedUsage(message: MessagePublic): TurnUsage | null {
  if (!message.output_tokens && !message.input_tokens && !message.cost_usd) return null;
  return {
    input_tokens: message.input_tokens,
    output_tokens: message.output_tokens,
    cache_read_tokens: message.cache_read_tokens,
    cache_creation_tokens: message.cache_creation_tokens,
    cost_usd: message.cost_usd,
    duration_ms: message.duration_ms,
    num_turns: message.num_turns,
    model: message.model,
  };
}
