import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { domain, makeMessage, makeSession, sse, sseEvent } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';

function openChat() {
  mockApi.refreshCookieFor = 'alice';
  const session = makeSession({ title: 'Solar report' });
  domain.sessions = [session];
  return { session, ...renderApp(`/chat/${session.id}`) };
}

const accepted = sseEvent('accepted', { session_id: 's', user_message_id: 'u1', assistant_message_id: 'a1' });

async function send(user: ReturnType<typeof renderApp>['user'], text: string) {
  const box = await screen.findByPlaceholderText(/Write a message/);
  await user.click(box);
  await user.paste(text);
  await user.keyboard('{Enter}');
}

describe('chat', () => {
  it('streams an answer with its tool call and usage', async () => {
    domain.turn = sse([
      accepted,
      sseEvent('started', { warm: false, resumed: false }),
      sseEvent('text_delta', { text: 'Writing **the report**' }),
      sseEvent('tool_started', { tool_use_id: 't1', name: 'Write', input_summary: 'file_path=report.md' }),
      sseEvent('tool_finished', { tool_use_id: 't1', is_error: false, result_summary: 'File created' }),
      sseEvent('usage', { input_tokens: 1200, output_tokens: 80, cost_usd: 0.0123, duration_ms: 2500 }),
      sseEvent('artifact', { id: 'f1', session_id: 's', message_id: 'a1', path: 'report.md', name: 'report.md', size: 300, mime_type: 'text/markdown', sha256: '', created_at: '', updated_at: '' }),
      sseEvent('done', { status: 'ok', message_id: 'a1' }),
    ]);
    const { session, user } = openChat();
    await send(user, 'Write a report');

    const log = await screen.findByRole('log', { name: 'Messages' });
    expect(await within(log).findByText('the report')).toHaveProperty('tagName', 'STRONG');
    expect(within(log).getByText('Write a report')).toBeInTheDocument();
    expect(within(log).getByTestId('tool-call')).toHaveTextContent('Write');
    expect(await within(log).findByTestId('usage-line')).toHaveTextContent('1,200 in / 80 out tokens · $0.0123 · 2.5 s');
    expect(screen.getByRole('button', { name: 'Download report.md' })).toBeInTheDocument();
    expect(domain.sent).toEqual([{ sessionId: session.id, content: 'Write a report' }]);
  });

  it('shows the stop button while the answer runs and stops the turn', async () => {
    let finish: (chunk: string) => void = () => undefined;
    const held = new Promise<string>((resolve) => {
      finish = resolve;
    });
    domain.turn = sse([accepted, sseEvent('queued', { position: 2 }), held]);
    const { session, user } = openChat();
    await send(user, 'Hello');

    expect(await screen.findByText('Queued: position 2')).toBeInTheDocument();
    const stop = screen.getByRole('button', { name: 'Stop' });
    await user.click(stop);
    await waitFor(() => expect(domain.stopped).toEqual([session.id]));
    finish(sseEvent('done', { status: 'stopped', message_id: 'a1' }));
    expect(await screen.findByText('Stopped')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stop' })).not.toBeInTheDocument());
  });

  it('reports a failed answer and resends the last message on retry', async () => {
    domain.turn = sse([
      accepted,
      sseEvent('error', { kind: 'model_error', message: 'The model is overloaded' }),
      sseEvent('done', { status: 'error', message_id: 'a1', error: 'The model is overloaded' }),
    ]);
    const { user } = openChat();
    await send(user, 'Tell me a joke');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The model is overloaded');
    domain.turn = sse([accepted, sseEvent('text_delta', { text: 'Here is one' }), sseEvent('done', { status: 'ok', message_id: 'a1' })]);
    await user.click(within(alert).getByRole('button', { name: /Retry/ }));
    expect(await screen.findByText('Here is one')).toBeInTheDocument();
    expect(domain.sent.map((m) => m.content)).toEqual(['Tell me a joke', 'Tell me a joke']);
  });

  it('picks up a turn that is still running after a reload', async () => {
    mockApi.refreshCookieFor = 'alice';
    const session = makeSession({
      is_running: true,
      messages: [makeMessage({ role: 'user', content: 'Long task' }), makeMessage({ id: 'a1', role: 'assistant', content: '', status: 'running' })],
    });
    domain.sessions = [session];
    domain.attach = sse([accepted, sseEvent('text_delta', { text: 'Still writing' }), new Promise<string>(() => undefined)]);
    renderApp(`/chat/${session.id}`);

    expect(await screen.findByText('Still writing')).toBeInTheDocument();
    expect(screen.getByText('Long task')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Stop' })).toBeInTheDocument();
  });
});
