import type { ArtifactPublic } from '@/client/types.gen';
import type { TurnMessage, TurnUsage } from './events';

/** A tool call as the chat shows it. */
export interface ToolCallView {
  id: string;
  name: string;
  input: string;
  result?: string;
  isError?: boolean;
  denied?: boolean;
  denialReason?: string;
  finished: boolean;
}

export type TurnPhase = 'connecting' | 'queued' | 'running' | 'done' | 'failed';

/** What the UI knows about the turn in flight (or the one that just ended) of a session. */
export interface TurnState {
  phase: TurnPhase;
  /** The text the user sent (null when the turn was picked up again after a reload). */
  userText: string | null;
  userMessageId: string | null;
  assistantMessageId: string | null;
  queuePosition: number | null;
  text: string;
  tools: ToolCallView[];
  usage: TurnUsage | null;
  artifacts: ArtifactPublic[];
  /** An error event of the turn, or a failure to reach the server (kind "http"/"network"). */
  error: { kind: string; message: string; code?: string | null } | null;
  doneStatus: 'ok' | 'error' | 'stopped' | null;
  lastEventId: number;
}

export function initialTurn(userText: string | null): TurnState {
  return {
    phase: 'connecting',
    userText,
    userMessageId: null,
    assistantMessageId: null,
    queuePosition: null,
    text: '',
    tools: [],
    usage: null,
    artifacts: [],
    error: null,
    doneStatus: null,
    lastEventId: 0,
  };
}

function updateTool(tools: ToolCallView[], id: string, change: (tool: ToolCallView) => ToolCallView, name = '?') {
  const index = tools.findIndex((tool) => tool.id === id);
  if (index === -1) return [...tools, change({ id, name, input: '', finished: false })];
  return tools.map((tool, i) => (i === index ? change(tool) : tool));
}

/**
 * Applies one event of the turn protocol. Pure, so replays after a reconnect rebuild the same state.
 * The switch covers every event of the generated union: one the server adds fails the type check here.
 */
export function turnReducer(state: TurnState, { id, event }: TurnMessage): TurnState {
  // A replay after re-attaching repeats events we already applied.
  if (id && id <= state.lastEventId) return state;
  const next = { ...state, lastEventId: id || state.lastEventId };
  switch (event.type) {
    case 'accepted':
      return {
        ...next,
        userMessageId: event.user_message_id,
        assistantMessageId: event.assistant_message_id,
        phase: state.phase === 'connecting' ? 'running' : state.phase,
      };
    case 'queued':
      return { ...next, phase: 'queued', queuePosition: event.position };
    case 'started':
      return { ...next, phase: 'running', queuePosition: null };
    case 'text_delta':
      return { ...next, phase: 'running', text: state.text + event.text };
    case 'text_reset':
      return { ...next, text: event.text };
    case 'tool_started':
      return {
        ...next,
        tools: updateTool(
          state.tools,
          event.tool_use_id,
          (tool) => ({ ...tool, name: event.name, input: event.input_summary }),
          event.name,
        ),
      };
    case 'tool_finished':
      return {
        ...next,
        tools: updateTool(state.tools, event.tool_use_id, (tool) => ({
          ...tool,
          result: event.result_summary,
          isError: event.is_error || !!tool.isError,
          finished: true,
        })),
      };
    case 'permission_denied':
      return {
        ...next,
        tools: updateTool(
          state.tools,
          event.tool_use_id,
          (tool) => ({ ...tool, denied: true, denialReason: event.reason, isError: true, finished: true }),
          event.tool_name,
        ),
      };
    case 'usage':
      return { ...next, usage: event };
    case 'artifact': {
      const others = state.artifacts.filter((artifact) => artifact.id !== event.id);
      return { ...next, artifacts: [...others, event] };
    }
    case 'error':
      return { ...next, error: { kind: event.kind, message: event.message } };
    case 'done':
      return {
        ...next,
        phase: 'done',
        doneStatus: event.status,
        assistantMessageId: event.message_id ?? state.assistantMessageId,
        error: event.status === 'error' && !state.error ? { kind: 'turn', message: event.error ?? '' } : state.error,
        tools: state.tools.map((tool) => (tool.finished ? tool : { ...tool, finished: true })),
      };
    default: {
      // Fails the type check when the generated union has an event without a case above.
      const unhandled: never = event;
      void unhandled;
      return next;
    }
  }
}

/** Whether the turn may still produce events. */
export function isActive(state: TurnState | undefined): boolean {
  return !!state && (state.phase === 'connecting' || state.phase === 'queued' || state.phase === 'running');
}
