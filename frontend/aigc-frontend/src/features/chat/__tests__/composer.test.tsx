import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { domain, makeSession, sse, sseEvent } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';

describe('composer', () => {
  it('names the message box and sends what is typed in it', async () => {
    mockApi.refreshCookieFor = 'alice';
    const session = makeSession({ title: 'Tea notes' });
    domain.sessions = [session];
    domain.turn = sse([sseEvent('text_delta', { text: 'Noted' }), sseEvent('done', { status: 'ok', message_id: 'a1' })]);
    const { user } = renderApp(`/chat/${session.id}`);

    const box = await screen.findByRole('textbox', { name: 'Message' });
    expect(box).toHaveAttribute('placeholder', expect.stringMatching(/^Write a message/));
    // The name is on the textarea only, not repeated on Sender's wrapper.
    expect(screen.getAllByLabelText('Message')).toEqual([box]);
    await user.click(box);
    await user.paste('Green tea, please');
    await user.keyboard('{Enter}');

    expect(await screen.findByText('Noted')).toBeInTheDocument();
    expect(domain.sent).toEqual([{ sessionId: session.id, content: 'Green tea, please' }]);
    await waitFor(() => expect(box).toHaveValue(''));
  });

  it('names the first-message box of a new chat', async () => {
    mockApi.refreshCookieFor = 'alice';
    renderApp('/chat');

    const box = await screen.findByRole('textbox', { name: 'What do you want to create?' });
    expect(box).toHaveAttribute('placeholder', expect.stringMatching(/^What do you want to create\? \(Enter/));
  });
});
