import type { ArtifactPublic } from '@/client/types.gen';

/** The events of one turn on the wire (see the backend's sessions router), keyed by event name. */
export interface TurnEventMap {
  accepted: { session_id: string; user_message_id: string; assistant_message_id: string };
  queued: { position: number };
  started: { warm?: boolean; resumed?: boolean };
  text_delta: { text: string };
  text_reset: { text: string; reason?: string };
  tool_started: { tool_use_id: string; name: string; input_summary: string };
  tool_finished: { tool_use_id: string; is_error: boolean; result_summary: string };
  permission_denied: { tool_use_id: string; tool_name: string; reason: string };
  usage: TurnUsage;
  artifact: ArtifactPublic;
  error: { kind: string; message: string; retryable?: boolean };
  done: { status: 'ok' | 'error' | 'stopped'; message_id?: string; error?: string | null };
}

export interface TurnUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number;
  cache_creation_tokens?: number;
  cost_usd: number;
  duration_ms: number;
  num_turns?: number;
  model?: string | null;
}

export type TurnEventName = keyof TurnEventMap;

export type TurnEvent = {
  [K in TurnEventName]: { id: number; event: K; data: TurnEventMap[K] };
}[TurnEventName];

const NAMES = new Set<string>([
  'accepted',
  'queued',
  'started',
  'text_delta',
  'text_reset',
  'tool_started',
  'tool_finished',
  'permission_denied',
  'usage',
  'artifact',
  'error',
  'done',
]);

/** A typed turn event from a raw SSE message, or null for an unknown event or bad JSON. */
export function toTurnEvent(message: { id: string | null; event: string; data: string }): TurnEvent | null {
  if (!NAMES.has(message.event)) return null;
  try {
    const data: unknown = JSON.parse(message.data);
    if (!data || typeof data !== 'object') return null;
    const id = Number(message.id ?? 0);
    return { id: Number.isFinite(id) ? id : 0, event: message.event, data } as TurnEvent;
  } catch {
    return null;
  }
}
