import { useSyncExternalStore } from 'react';
import { sessionsStopTurn } from '@/client/sdk.gen';
import { ApiRequestError, unwrap } from '@/lib/api-error';
import { authedFetch, ensureOk } from '@/lib/authed-fetch';
import { readSse } from '@/lib/sse';
import { toTurnMessage } from './events';
import { initialTurn, isActive, turnReducer, type TurnState } from './turn-reducer';

/**
 * The turns in flight, one per session, outside React: a stream keeps going when the user switches
 * sessions or pages, and StrictMode's double effects cannot start a turn twice. Components read a
 * session's turn with useTurn(); `onSettled` lets the caller refresh its queries when a turn ends.
 */
type Listener = () => void;
export interface TurnCallbacks {
  onSettled?: (sessionId: string) => void;
}

const turns = new Map<string, TurnState>();
const controllers = new Map<string, AbortController>();
const listeners = new Set<Listener>();
const REATTACH_ATTEMPTS = 3;

function emit(): void {
  listeners.forEach((listener) => listener());
}

function put(sessionId: string, state: TurnState): void {
  turns.set(sessionId, state);
  emit();
}

function fail(sessionId: string, error: unknown): void {
  const state = turns.get(sessionId) ?? initialTurn(null);
  const apiError = error instanceof ApiRequestError ? error : null;
  put(sessionId, {
    ...state,
    phase: 'failed',
    error: apiError
      ? { kind: 'http', message: apiError.message, code: apiError.code }
      : { kind: 'network', message: '', code: null },
  });
}

export function getTurn(sessionId: string): TurnState | undefined {
  return turns.get(sessionId);
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The turn of a session, re-rendering on every event. */
export function useTurn(sessionId: string | undefined): TurnState | undefined {
  return useSyncExternalStore(
    subscribe,
    () => (sessionId ? turns.get(sessionId) : undefined),
    () => undefined,
  );
}

const streamPath = (sessionId: string) => `/api/v1/sessions/${encodeURIComponent(sessionId)}`;

/** Reads the turn's events into the store; re-attaches when the connection drops before `done`. */
async function consume(sessionId: string, response: Response, controller: AbortController): Promise<void> {
  let attempts = 0;
  let current: Response | null = response;
  while (current) {
    if (current.body) {
      for await (const message of readSse(current.body, controller.signal)) {
        const event = toTurnMessage(message);
        if (!event) continue;
        put(sessionId, turnReducer(turns.get(sessionId) ?? initialTurn(null), event));
      }
    }
    const state = turns.get(sessionId);
    if (controller.signal.aborted || !state || state.phase === 'done' || state.phase === 'failed') return;
    // The connection ended before `done`: the turn goes on on the server, so follow it again.
    if (attempts >= REATTACH_ATTEMPTS) throw new Error('stream ended');
    attempts += 1;
    await new Promise((resolve) => setTimeout(resolve, 300 * attempts));
    current = await authedFetch(`${streamPath(sessionId)}/stream?after=${state.lastEventId}`, {
      headers: { Accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (current.status === 204) {
      // Nothing runs any more: the saved message tells how it ended.
      put(sessionId, { ...state, phase: 'done' });
      return;
    }
    await ensureOk(current);
  }
}

async function run(
  sessionId: string,
  start: (signal: AbortSignal) => Promise<Response | null>,
  callbacks: TurnCallbacks,
): Promise<void> {
  const controller = new AbortController();
  controllers.set(sessionId, controller);
  try {
    const response = await start(controller.signal);
    if (response) await consume(sessionId, response, controller);
  } catch (error) {
    if (!controller.signal.aborted) fail(sessionId, error);
  } finally {
    if (controllers.get(sessionId) === controller) controllers.delete(sessionId);
    callbacks.onSettled?.(sessionId);
  }
}

/**
 * Sends a message and streams the reply. When a turn already runs (409 turn_running), follows that
 * turn instead, so the user sees it rather than an error.
 */
export function sendMessage(sessionId: string, text: string, callbacks: TurnCallbacks = {}): Promise<void> {
  if (isActive(turns.get(sessionId))) return Promise.resolve();
  put(sessionId, initialTurn(text));
  return run(
    sessionId,
    async (signal) => {
      const response = await authedFetch(`${streamPath(sessionId)}/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
        body: JSON.stringify({ content: text }),
        signal,
      });
      try {
        return await ensureOk(response);
      } catch (error) {
        if (error instanceof ApiRequestError && error.code === 'turn_running') {
          put(sessionId, initialTurn(null));
          return attachResponse(sessionId, 0, signal);
        }
        throw error;
      }
    },
    callbacks,
  );
}

async function attachResponse(sessionId: string, after: number, signal: AbortSignal): Promise<Response | null> {
  const response = await ensureOk(
    await authedFetch(`${streamPath(sessionId)}/stream?after=${after}`, {
      headers: { Accept: 'text/event-stream' },
      signal,
    }),
  );
  if (response.status === 204) {
    turns.delete(sessionId);
    emit();
    return null;
  }
  return response;
}

/** Follows the turn that runs in a session (after a reload), replaying it from the start. */
export function attachTurn(sessionId: string, callbacks: TurnCallbacks = {}): Promise<void> {
  if (controllers.has(sessionId) || isActive(turns.get(sessionId))) return Promise.resolve();
  put(sessionId, initialTurn(null));
  return run(sessionId, (signal) => attachResponse(sessionId, 0, signal), callbacks);
}

/** Asks the server to stop the turn; it ends with `done` status "stopped" on the open stream. */
export async function stopTurn(sessionId: string): Promise<void> {
  await unwrap(sessionsStopTurn({ path: { session_id: sessionId } }));
}

/** Stops listening to a session's turn and forgets it (the session was deleted). */
export function forgetTurn(sessionId: string): void {
  controllers.get(sessionId)?.abort();
  controllers.delete(sessionId);
  if (turns.delete(sessionId)) emit();
}

/** Drops every turn; for tests. */
export function resetTurns(): void {
  controllers.forEach((controller) => controller.abort());
  controllers.clear();
  turns.clear();
  emit();
}
