import type { ArtifactPublic } from '@/client/types.gen';
import type { TurnEvent, TurnUsage } from './events';

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

/** Applies one event of the turn protocol. Pure, so replays after a reconnect rebuild the same state. */
export function turnReducer(state: TurnState, event: TurnEvent): TurnState {
  // A replay after re-attaching repeats events we already applied.
  if (event.id && event.id <= state.lastEventId) return state;
  const next = { ...state, lastEventId: event.id || state.lastEventId };
  switch (event.event) {
    case 'accepted':
      return {
        ...next,
        userMessageId: event.data.user_message_id,
        assistantMessageId: event.data.assistant_message_id,
        phase: state.phase === 'connecting' ? 'running' : state.phase,
      };
    case 'queued':
      return { ...next, phase: 'queued', queuePosition: event.data.position };
    case 'started':
      return { ...next, phase: 'running', queuePosition: null };
    case 'text_delta':
      return { ...next, phase: 'running', text: state.text + event.data.text };
    case 'text_reset':
      return { ...next, text: event.data.text };
    case 'tool_started':
      return {
        ...next,
        tools: updateTool(
          state.tools,
          event.data.tool_use_id,
          (tool) => ({ ...tool, name: event.data.name, input: event.data.input_summary }),
          event.data.name,
        ),
      };
    case 'tool_finished':
      return {
        ...next,
        tools: updateTool(state.tools, event.data.tool_use_id, (tool) => ({
          ...tool,
          result: event.data.result_summary,
          isError: event.data.is_error || !!tool.isError,
          finished: true,
        })),
      };
    case 'permission_denied':
      return {
        ...next,
        tools: updateTool(
          state.tools,
          event.data.tool_use_id,
          (tool) => ({ ...tool, denied: true, denialReason: event.data.reason, isError: true, finished: true }),
          event.data.tool_name,
        ),
      };
    case 'usage':
      return { ...next, usage: event.data };
    case 'artifact': {
      const others = state.artifacts.filter((artifact) => artifact.id !== event.data.id);
      return { ...next, artifacts: [...others, event.data] };
    }
    case 'error':
      return { ...next, error: { kind: event.data.kind, message: event.data.message } };
    case 'done':
      return {
        ...next,
        phase: 'done',
        doneStatus: event.data.status,
        assistantMessageId: event.data.message_id ?? state.assistantMessageId,
        error:
          event.data.status === 'error' && !state.error
            ? { kind: 'turn', message: event.data.error ?? '' }
            : state.error,
        tools: state.tools.map((tool) => (tool.finished ? tool : { ...tool, finished: true })),
      };
    default:
      return next;
  }
}

/** Whether the turn may still produce events. */
export function isActive(state: TurnState | undefined): boolean {
  return !!state && (state.phase === 'connecting' || state.phase === 'queued' || state.phase === 'running');
}
