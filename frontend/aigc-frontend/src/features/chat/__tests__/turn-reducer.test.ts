import { describe, expect, it } from 'vitest';
import type { TurnEvent } from '../turn/events';
import { initialTurn, turnReducer, type TurnState } from '../turn/turn-reducer';

const run = (events: Omit<TurnEvent, 'id'>[], state: TurnState = initialTurn('hi')) =>
  events.reduce((current, event, index) => turnReducer(current, { ...event, id: index + 1 } as TurnEvent), state);

describe('turnReducer', () => {
  it('appends deltas, replaces on text_reset and ends on done', () => {
    const state = run([
      { event: 'accepted', data: { session_id: 's', user_message_id: 'u', assistant_message_id: 'a' } },
      { event: 'queued', data: { position: 2 } },
      { event: 'started', data: {} },
      { event: 'text_delta', data: { text: 'Hel' } },
      { event: 'text_delta', data: { text: 'lo' } },
      { event: 'text_reset', data: { text: 'Hi', reason: 'api_retry' } },
      { event: 'text_delta', data: { text: ' there' } },
      { event: 'usage', data: { input_tokens: 10, output_tokens: 5, cost_usd: 0.01, duration_ms: 900 } },
      { event: 'done', data: { status: 'ok', message_id: 'a' } },
    ] as Omit<TurnEvent, 'id'>[]);
    expect(state).toMatchObject({
      phase: 'done',
      doneStatus: 'ok',
      text: 'Hi there',
      assistantMessageId: 'a',
      userMessageId: 'u',
      queuePosition: null,
      lastEventId: 9,
    });
    expect(state.usage?.output_tokens).toBe(5);
  });

  it('tracks tool calls, results, errors and denials', () => {
    const state = run([
      { event: 'tool_started', data: { tool_use_id: 't1', name: 'Write', input_summary: 'file_path=a.md' } },
      { event: 'tool_finished', data: { tool_use_id: 't1', is_error: false, result_summary: 'ok' } },
      { event: 'tool_started', data: { tool_use_id: 't2', name: 'Bash', input_summary: 'rm -rf /' } },
      { event: 'permission_denied', data: { tool_use_id: 't2', tool_name: 'Bash', reason: 'not allowed' } },
      { event: 'tool_started', data: { tool_use_id: 't3', name: 'Read', input_summary: 'x' } },
      { event: 'done', data: { status: 'stopped' } },
    ] as Omit<TurnEvent, 'id'>[]);
    expect(state.tools).toEqual([
      { id: 't1', name: 'Write', input: 'file_path=a.md', result: 'ok', isError: false, finished: true },
      { id: 't2', name: 'Bash', input: 'rm -rf /', denied: true, denialReason: 'not allowed', isError: true, finished: true },
      { id: 't3', name: 'Read', input: 'x', finished: true },
    ]);
    expect(state.doneStatus).toBe('stopped');
  });

  it('ignores events replayed after re-attaching', () => {
    const once = turnReducer(initialTurn(null), { id: 1, event: 'text_delta', data: { text: 'a' } });
    const twice = turnReducer(once, { id: 1, event: 'text_delta', data: { text: 'a' } });
    expect(twice.text).toBe('a');
  });

  it('keeps the error of a failed turn', () => {
    const state = run([
      { event: 'error', data: { kind: 'model_error', message: 'The model is overloaded' } },
      { event: 'done', data: { status: 'error', error: 'The model is overloaded' } },
    ] as Omit<TurnEvent, 'id'>[]);
    expect(state.error).toEqual({ kind: 'model_error', message: 'The model is overloaded' });
    expect(state.doneStatus).toBe('error');
  });
});
