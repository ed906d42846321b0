import { describe, expect, it } from 'vitest';
import { toTurnMessage, type TurnEvent } from '../turn/events';
import { initialTurn, turnReducer, type TurnState } from '../turn/turn-reducer';

const run = (events: TurnEvent[], state: TurnState = initialTurn('hi')) =>
  events.reduce((current, event, index) => turnReducer(current, { id: index + 1, event }), state);

const usage: TurnEvent = {
  type: 'usage',
  input_tokens: 10,
  output_tokens: 5,
  cache_read_tokens: 0,
  cache_creation_tokens: 0,
  cost_usd: 0.01,
  duration_ms: 900,
  num_turns: 1,
  model: 'claude-sonnet-4-5',
};

const artifact = (size: number): TurnEvent => ({
  type: 'artifact',
  id: 'f1',
  session_id: 's',
  message_id: 'a',
  path: 'report.md',
  name: 'report.md',
  size,
  mime_type: 'text/markdown',
  sha256: 'ab',
  source: 'agent',
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
});

describe('turnReducer', () => {
  it('appends deltas, replaces on text_reset and ends on done', () => {
    const state = run([
      { type: 'accepted', session_id: 's', user_message_id: 'u', assistant_message_id: 'a' },
      { type: 'queued', position: 2 },
      { type: 'started', warm: false, resumed: false },
      { type: 'text_delta', text: 'Hel' },
      { type: 'text_delta', text: 'lo' },
      { type: 'text_reset', text: 'Hi', reason: 'api_retry' },
      { type: 'text_delta', text: ' there' },
      usage,
      { type: 'done', status: 'ok', message_id: 'a', error: null },
    ]);
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
      { type: 'tool_started', tool_use_id: 't1', name: 'Write', input_summary: 'file_path=a.md' },
      { type: 'tool_finished', tool_use_id: 't1', is_error: false, result_summary: 'ok' },
      { type: 'tool_started', tool_use_id: 't2', name: 'Bash', input_summary: 'rm -rf /' },
      { type: 'permission_denied', tool_use_id: 't2', tool_name: 'Bash', reason: 'not allowed' },
      { type: 'tool_started', tool_use_id: 't3', name: 'Read', input_summary: 'x' },
      { type: 'done', status: 'stopped', message_id: null, error: null },
    ]);
    expect(state.tools).toEqual([
      { id: 't1', name: 'Write', input: 'file_path=a.md', result: 'ok', isError: false, finished: true },
      { id: 't2', name: 'Bash', input: 'rm -rf /', denied: true, denialReason: 'not allowed', isError: true, finished: true },
      { id: 't3', name: 'Read', input: 'x', finished: true },
    ]);
    expect(state.doneStatus).toBe('stopped');
  });

  it('keeps one entry per artifact, the latest version', () => {
    const state = run([artifact(10), artifact(12)]);
    expect(state.artifacts).toHaveLength(1);
    expect(state.artifacts[0]).toMatchObject({ id: 'f1', path: 'report.md', size: 12 });
  });

  it('ignores events replayed after re-attaching', () => {
    const delta: TurnEvent = { type: 'text_delta', text: 'a' };
    const once = turnReducer(initialTurn(null), { id: 1, event: delta });
    const twice = turnReducer(once, { id: 1, event: delta });
    expect(twice.text).toBe('a');
  });

  it('keeps the error of a failed turn', () => {
    const state = run([
      { type: 'error', kind: 'model_error', message: 'The model is overloaded', retryable: true },
      { type: 'done', status: 'error', message_id: 'a', error: 'The model is overloaded' },
    ]);
    expect(state.error).toEqual({ kind: 'model_error', message: 'The model is overloaded' });
    expect(state.doneStatus).toBe('error');
  });
});

describe('toTurnMessage', () => {
  it('reads an SSE message whose name and data type agree', () => {
    const message = toTurnMessage({ id: '3', event: 'text_delta', data: '{"type":"text_delta","text":"hi"}' });
    expect(message).toEqual({ id: 3, event: { type: 'text_delta', text: 'hi' } });
  });

  it('drops unknown events, mismatched types and bad JSON', () => {
    expect(toTurnMessage({ id: '1', event: 'telemetry', data: '{"type":"telemetry"}' })).toBeNull();
    expect(toTurnMessage({ id: '1', event: 'text_delta', data: '{"type":"done","status":"ok"}' })).toBeNull();
    expect(toTurnMessage({ id: '1', event: 'text_delta', data: '{"type":' })).toBeNull();
  });
});
