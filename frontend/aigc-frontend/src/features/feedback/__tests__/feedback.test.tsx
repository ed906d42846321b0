import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { FeedbackIn, FeedbackPublic, FeedbackTag } from '@/client/types.gen';
import { errorBody, mockApi } from '@/testing/mock-api';
import { domain, makeMessage, makeSession } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

const TAGS: FeedbackTag[] = [
  { key: 'too_long', labels: { 'en-US': 'Too long', 'zh-CN': '太长' } },
  { key: 'inaccurate', labels: { 'en-US': 'Inaccurate', 'zh-CN': '不准确' } },
  { key: 'helpful', labels: { 'en-US': 'Helpful', 'zh-CN': '有帮助' } },
];

function saved(overrides: Partial<FeedbackPublic>): FeedbackPublic {
  return {
    id: 'f1',
    message_id: '',
    session_id: 's1',
    scenario_id: null,
    rating: 'up',
    score: null,
    tags: [],
    comment: '',
    created_at: '2025-01-02T00:00:00Z',
    updated_at: '2025-01-02T00:00:00Z',
    ...overrides,
  };
}

/** The feedback API; returns what the page sent. */
function feedbackApi() {
  const puts: { messageId: string; body: FeedbackIn }[] = [];
  const deletes: string[] = [];
  server.use(
    http.get('*/api/v1/feedback/tags', () => HttpResponse.json(TAGS)),
    http.put('*/api/v1/messages/:id/feedback', async ({ params, request }) => {
      const body = (await request.json()) as FeedbackIn;
      puts.push({ messageId: String(params.id), body });
      const { rating, score = null, tags, comment } = body;
      return HttpResponse.json(saved({ message_id: String(params.id), rating, score, tags, comment }));
    }),
    http.delete('*/api/v1/messages/:id/feedback', ({ params }) => {
      deletes.push(String(params.id));
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { puts, deletes };
}

function openAnswer(feedback: FeedbackPublic | null = null) {
  mockApi.refreshCookieFor = 'alice';
  const answer = makeMessage({ role: 'assistant', content: 'Green tea is steamed.', feedback });
  const session = makeSession({
    title: 'Tea facts',
    messages: [makeMessage({ role: 'user', content: 'How is green tea made?' }), answer],
  });
  domain.sessions = [session];
  return { answer, ...renderApp(`/chat/${session.id}`) };
}

describe('answer feedback', () => {
  it('rates an answer up and offers details', async () => {
    const api = feedbackApi();
    const { answer, user } = openAnswer();
    const bar = await screen.findByRole('group', { name: 'Rate this answer' });
    const up = within(bar).getByRole('button', { name: 'Good answer' });
    expect(up).toHaveAttribute('aria-pressed', 'false');
    expect(within(bar).queryByRole('button', { name: /details/ })).not.toBeInTheDocument();

    await user.click(up);
    await waitFor(() => expect(up).toHaveAttribute('aria-pressed', 'true'));
    expect(api.puts).toEqual([{ messageId: answer.id, body: { rating: 'up', tags: [], comment: '' } }]);
    expect(await screen.findByRole('group', { name: 'Feedback details' })).toBeInTheDocument();
    expect(screen.getByText('What was good?')).toBeInTheDocument();
    expect(within(bar).getByRole('button', { name: 'Add details' })).toBeInTheDocument();
  });

  it('sends a score, tags and a comment', async () => {
    const api = feedbackApi();
    const { answer, user } = openAnswer(saved({ rating: 'up' }));
    const bar = await screen.findByRole('group', { name: 'Rate this answer' });
    await user.click(within(bar).getByRole('button', { name: 'Add details' }));

    const details = await screen.findByRole('group', { name: 'Feedback details' });
    await user.click(within(details).getAllByRole('radio')[3]);
    await user.click(within(details).getByRole('checkbox', { name: 'Helpful' }));
    await user.click(within(details).getByRole('combobox', { name: 'Your own tags (Enter to add)' }));
    await user.keyboard('concise{Enter}');
    await user.click(within(details).getByRole('textbox', { name: 'Comment (optional)' }));
    await user.paste('  Clear and short  ');
    await user.click(within(details).getByRole('button', { name: 'Send feedback' }));

    expect(await screen.findByText('Thanks for the feedback')).toBeInTheDocument();
    expect(api.puts).toEqual([
      { messageId: answer.id, body: { rating: 'up', score: 4, tags: ['helpful', 'concise'], comment: 'Clear and short' } },
    ]);
    expect(within(bar).getByRole('button', { name: 'Edit details' })).toBeInTheDocument();
    expect(within(bar).getByRole('button', { name: 'Good answer' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('switches a saved rating to down, keeping its score and comment, and takes it back on a second click', async () => {
    const api = feedbackApi();
    const { answer, user } = openAnswer(saved({ rating: 'up', score: 5, tags: ['helpful'], comment: 'Great' }));
    const bar = await screen.findByRole('group', { name: 'Rate this answer' });
    expect(within(bar).getByRole('button', { name: 'Good answer' })).toHaveAttribute('aria-pressed', 'true');
    expect(within(bar).getByRole('button', { name: 'Edit details' })).toBeInTheDocument();

    const down = within(bar).getByRole('button', { name: 'Bad answer' });
    await user.click(down);
    await waitFor(() => expect(down).toHaveAttribute('aria-pressed', 'true'));
    // "helpful" is a thumbs-up tag: it does not carry over to a thumbs down.
    expect(api.puts).toEqual([{ messageId: answer.id, body: { rating: 'down', score: 5, tags: [], comment: 'Great' } }]);
    expect(await screen.findByText('What went wrong?')).toBeInTheDocument();

    await user.click(down);
    await waitFor(() => expect(down).toHaveAttribute('aria-pressed', 'false'));
    expect(api.deletes).toEqual([answer.id]);
    expect(within(bar).getByRole('button', { name: 'Good answer' })).toHaveAttribute('aria-pressed', 'false');
    expect(within(bar).queryByRole('button', { name: /details/ })).not.toBeInTheDocument();
  });

  it("shows the server's reason when a rating is refused", async () => {
    feedbackApi();
    server.use(
      http.put('*/api/v1/messages/:id/feedback', () =>
        HttpResponse.json(errorBody('not_an_answer', "Only the assistant's answers can be rated"), { status: 422 }),
      ),
    );
    const { user } = openAnswer();
    const bar = await screen.findByRole('group', { name: 'Rate this answer' });
    await user.click(within(bar).getByRole('button', { name: 'Bad answer' }));

    expect(await screen.findByText("Only the assistant's answers can be rated")).toBeInTheDocument();
    expect(within(bar).getByRole('button', { name: 'Bad answer' })).toHaveAttribute('aria-pressed', 'false');
  });

  it('offers the tags that fit each thumb', async () => {
    feedbackApi();
    const { user } = openAnswer();
    const bar = await screen.findByRole('group', { name: 'Rate this answer' });

    await user.click(within(bar).getByRole('button', { name: 'Bad answer' }));
    let details = await screen.findByRole('group', { name: 'Feedback details' });
    expect(within(details).getByRole('checkbox', { name: 'Inaccurate' })).toBeInTheDocument();
    expect(within(details).getByRole('checkbox', { name: 'Too long' })).toBeInTheDocument();
    expect(within(details).queryByRole('checkbox', { name: 'Helpful' })).not.toBeInTheDocument();

    await user.click(within(bar).getByRole('button', { name: 'Good answer' }));
    await waitFor(() => expect(screen.getByText('What was good?')).toBeInTheDocument());
    details = await screen.findByRole('group', { name: 'Feedback details' });
    expect(within(details).getByRole('checkbox', { name: 'Helpful' })).toBeInTheDocument();
    expect(within(details).queryByRole('checkbox', { name: 'Inaccurate' })).not.toBeInTheDocument();
  });

  it('Cancel takes back the thumb that opened the details', async () => {
    const api = feedbackApi();
    const { answer, user } = openAnswer();
    const bar = await screen.findByRole('group', { name: 'Rate this answer' });
    const up = within(bar).getByRole('button', { name: 'Good answer' });
    await user.click(up);
    await waitFor(() => expect(up).toHaveAttribute('aria-pressed', 'true'));

    const details = await screen.findByRole('group', { name: 'Feedback details' });
    await user.click(within(details).getByRole('button', { name: 'Cancel' }));

    await waitFor(() => expect(up).toHaveAttribute('aria-pressed', 'false'));
    expect(api.deletes).toEqual([answer.id]);
    expect(within(bar).queryByRole('button', { name: /details/ })).not.toBeInTheDocument();
  });

  it('Cancel after switching thumbs puts the previous rating back', async () => {
    const api = feedbackApi();
    const previous = saved({ rating: 'up', score: 4, tags: ['helpful'], comment: 'Nice' });
    const { answer, user } = openAnswer(previous);
    const bar = await screen.findByRole('group', { name: 'Rate this answer' });
    const down = within(bar).getByRole('button', { name: 'Bad answer' });
    await user.click(down);
    await waitFor(() => expect(down).toHaveAttribute('aria-pressed', 'true'));

    const details = await screen.findByRole('group', { name: 'Feedback details' });
    await user.click(within(details).getByRole('button', { name: 'Cancel' }));

    await waitFor(() => expect(within(bar).getByRole('button', { name: 'Good answer' })).toHaveAttribute('aria-pressed', 'true'));
    expect(api.puts.at(-1)).toEqual({
      messageId: answer.id,
      body: { rating: 'up', score: 4, tags: ['helpful'], comment: 'Nice' },
    });
    expect(api.deletes).toEqual([]);
  });
});
