import type { TurnEvent, UsageEvent } from '@/client/types.gen';

/**
 * The events of one turn, as the generated client declares them (the backend publishes the union in its
 * OpenAPI document): nothing here is written by hand but the list of fields the chat deals with.
 */
export type { TurnEvent };
export type TurnEventName = TurnEvent['type'];
export type TurnEventOf<K extends TurnEventName> = Extract<TurnEvent, { type: K }>;

/** One event with its number in the turn's stream (the SSE id, used to re-attach after it). */
export interface TurnMessage {
  id: number;
  event: TurnEvent;
}

export type TurnUsage = Omit<UsageEvent, 'type'>;

/**
 * Every field of every event, each one read by the turn reducer or knowingly left aside (say why).
 * The type check fails when the server adds an event (a key is missing here) or a field (see below)
 * that this list, and so the reducer, does not know yet.
 */
const HANDLED_FIELDS = {
  accepted: ['user_message_id', 'assistant_message_id', 'session_id' /* the store is keyed by it already */],
  queued: ['position'],
  started: ['warm', 'resumed' /* how the agent started: nothing to show */],
  text_delta: ['text'],
  text_reset: ['text', 'reason' /* why does not change what is shown */],
  tool_started: ['tool_use_id', 'name', 'input_summary'],
  tool_finished: ['tool_use_id', 'is_error', 'result_summary'],
  permission_denied: ['tool_use_id', 'tool_name', 'reason'],
  usage: [
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_creation_tokens',
    'cost_usd',
    'duration_ms',
    'num_turns',
    'model',
  ],
  // Kept whole, as the artifact list shows it.
  artifact: [
    'id',
    'session_id',
    'message_id',
    'path',
    'name',
    'size',
    'mime_type',
    'sha256',
    'source' /* always `agent` for a turn's files; uploads come from the session's `uploads` */,
    'created_at',
    'updated_at',
  ],
  error: ['kind', 'message', 'retryable' /* the composer always allows another try */],
  done: ['status', 'message_id', 'error'],
} as const satisfies { [K in TurnEventName]: readonly Exclude<keyof TurnEventOf<K>, 'type'>[] };

/** The fields of an event the list above does not name (never, when it is complete). */
type UnhandledField = {
  [K in TurnEventName]: Exclude<keyof TurnEventOf<K>, 'type' | (typeof HANDLED_FIELDS)[K][number]>;
}[TurnEventName];

/** Does not compile while a field is unhandled; the error names the field. */
export const EVERY_FIELD_HANDLED: [UnhandledField] extends [never] ? true : UnhandledField = true;

const NAMES = new Set<string>(Object.keys(HANDLED_FIELDS));

/**
 * A turn event from a raw SSE message, or null for an event this app does not know (a newer server) or
 * bad data. The event name and the data's `type` must agree.
 */
export function toTurnMessage(message: { id: string | null; event: string; data: string }): TurnMessage | null {
  if (!NAMES.has(message.event)) return null;
  try {
    const data: unknown = JSON.parse(message.data);
    if (!data || typeof data !== 'object' || (data as { type?: unknown }).type !== message.event) return null;
    const id = Number(message.id ?? 0);
    return { id: Number.isFinite(id) ? id : 0, event: data as TurnEvent };
  } catch {
    return null;
  }
}
