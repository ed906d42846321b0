import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { PreferencesPublic, PreferencesUpdate } from '@/client/types.gen';
import { mockApi, testUsers } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

function learned(): PreferencesPublic {
  return {
    user_id: testUsers.alice.id,
    summary: 'Prefers short answers with bullet points.',
    version: 3,
    feedback_count: 7,
    learned_at: '2025-01-05T10:00:00Z',
    model_used: 'claude-test',
    paused: false,
    items: [
      {
        id: 'p1',
        instruction: 'Answer in bullet points',
        instruction_zh: '用要点回答',
        scope: 'all',
        source: 'learned',
        confidence: 0.82,
        enabled: true,
        evidence: [
          {
            feedback_id: 'f1',
            message_id: 'm1',
            session_id: 'session-1',
            rating: 'down',
            tags: ['too_long'],
            comment: 'Way too wordy',
            created_at: '2025-01-04T09:00:00Z',
          },
          {
            feedback_id: 'f2',
            message_id: 'm2',
            session_id: 'session-2',
            rating: 'up',
            tags: [],
            comment: '',
            created_at: '2025-01-04T10:00:00Z',
          },
        ],
      },
      {
        id: 'p2',
        instruction: 'Use metric units',
        scope: 'scenario-9',
        scenario_name: 'Report writer',
        source: 'edited',
        confidence: null,
        enabled: true,
        evidence: [],
      },
    ],
  };
}

/** GET/PUT/DELETE /me/preferences over one stored document; returns what the page sent. */
function preferencesApi(stored = learned()) {
  const sent: { method: string; body?: PreferencesUpdate }[] = [];
  server.use(
    http.get('*/api/v1/me/preferences', () => HttpResponse.json(stored)),
    http.put('*/api/v1/me/preferences', async ({ request }) => {
      const body = (await request.json()) as PreferencesUpdate;
      sent.push({ method: 'PUT', body });
      if (body.paused != null) stored.paused = body.paused;
      if (body.items) {
        stored.items = body.items.map((item, index) => {
          const before = stored.items.find((old) => old.id === item.id);
          return {
            ...before,
            id: item.id ?? `new-${index}`,
            instruction: item.instruction,
            instruction_zh: before?.instruction === item.instruction ? before.instruction_zh : undefined,
            scope: item.scope ?? 'all',
            enabled: item.enabled ?? true,
            source: before ? (before.instruction === item.instruction ? before.source : 'edited') : 'user',
          };
        });
      }
      return HttpResponse.json(stored);
    }),
    http.delete('*/api/v1/me/preferences', () => {
      sent.push({ method: 'DELETE' });
      Object.assign(stored, { items: [], summary: '', version: 0, learned_at: null, model_used: '' });
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return sent;
}

async function openPreferences() {
  mockApi.refreshCookieFor = 'alice';
  const app = renderApp('/preferences');
  await screen.findByRole('heading', { name: 'My preferences' });
  return app;
}

const unchanged = { id: 'p2', instruction: 'Use metric units', scope: 'scenario-9', enabled: true };

describe('my preferences', () => {
  it('lists what was learned with its scope, source and evidence', async () => {
    preferencesApi();
    const { user } = await openPreferences();

    const list = await screen.findByRole('list', { name: 'Learned preferences' });
    const [bullets, metric] = within(list).getAllByRole('listitem');
    expect(bullets).toHaveTextContent('Answer in bullet points');
    expect(bullets).toHaveTextContent('All scenarios');
    expect(bullets).toHaveTextContent('Learned');
    expect(bullets).toHaveTextContent('Confidence 82%');
    expect(metric).toHaveTextContent('Use metric units');
    expect(metric).toHaveTextContent('Report writer');
    expect(metric).toHaveTextContent('Edited by you');
    expect(screen.getByText('Prefers short answers with bullet points.')).toBeInTheDocument();
    expect(screen.getByText('Feedback given').closest('td')).toHaveTextContent(/^Feedback given\s*7$/);
    expect(screen.getByText('Version').closest('td')).toHaveTextContent(/^Version\s*3$/);

    await user.click(within(bullets).getByRole('button', { name: 'From 2 feedback' }));
    expect(await within(bullets).findByText('“Way too wordy”')).toBeInTheDocument();
    expect(within(bullets).getByText('too_long')).toBeInTheDocument();
    expect(within(bullets).getByLabelText('Bad answer')).toBeInTheDocument();
    expect(within(bullets).getByLabelText('Good answer')).toBeInTheDocument();
    expect(within(bullets).getAllByRole('link', { name: 'Open conversation' }).map((link) => link.getAttribute('href'))).toEqual([
      '/chat/session-1',
      '/chat/session-2',
    ]);
  });

  it('edits, turns off and removes a preference', async () => {
    const sent = preferencesApi();
    const { user } = await openPreferences();
    const list = await screen.findByRole('list', { name: 'Learned preferences' });

    await user.click(within(list).getByRole('button', { name: 'Edit Answer in bullet points' }));
    const input = within(list).getByRole('textbox', { name: 'Preference' });
    await user.clear(input);
    await user.paste('Answer in at most five bullet points');
    await user.click(within(list).getByRole('button', { name: 'Save' }));
    expect(await within(list).findByText('Answer in at most five bullet points')).toBeInTheDocument();
    expect(sent.at(-1)).toEqual({
      method: 'PUT',
      body: { items: [{ id: 'p1', instruction: 'Answer in at most five bullet points', scope: 'all', enabled: true }, unchanged] },
    });

    const apply = within(list).getByRole('switch', { name: 'Apply: Use metric units' });
    await user.click(apply);
    await waitFor(() => expect(apply).not.toBeChecked());
    expect(sent.at(-1)?.body?.items?.[1]).toEqual({ ...unchanged, enabled: false });

    await user.click(within(list).getByRole('button', { name: 'Remove Use metric units' }));
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(within(list).queryByText('Use metric units')).not.toBeInTheDocument());
    expect(sent.at(-1)).toEqual({
      method: 'PUT',
      body: { items: [{ id: 'p1', instruction: 'Answer in at most five bullet points', scope: 'all', enabled: true }] },
    });
    expect(sent).toHaveLength(3);
  });

  it('adds a preference of my own', async () => {
    const sent = preferencesApi();
    const { user } = await openPreferences();

    await user.click(screen.getByRole('button', { name: 'Add a preference' }));
    await user.paste('Always cite sources');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    const list = screen.getByRole('list', { name: 'Learned preferences' });
    expect(await within(list).findByText('Always cite sources')).toBeInTheDocument();
    expect(within(list).getAllByRole('listitem')[2]).toHaveTextContent('Added by you');
    expect(sent).toEqual([
      {
        method: 'PUT',
        body: {
          items: [
            { id: 'p1', instruction: 'Answer in bullet points', scope: 'all', enabled: true },
            unchanged,
            { instruction: 'Always cite sources', scope: 'all', enabled: true },
          ],
        },
      },
    ]);
  });

  it('pauses learning and resumes it', async () => {
    const sent = preferencesApi();
    const { user } = await openPreferences();
    const pause = screen.getByRole('switch', { name: 'Pause learning' });
    expect(pause).not.toBeChecked();
    expect(screen.queryByText(/Learning is paused/)).not.toBeInTheDocument();

    await user.click(pause);
    expect(await screen.findByText(/Learning is paused/)).toBeInTheDocument();
    expect(pause).toBeChecked();
    await user.click(pause);
    await waitFor(() => expect(screen.queryByText(/Learning is paused/)).not.toBeInTheDocument());
    expect(sent).toEqual([
      { method: 'PUT', body: { paused: true } },
      { method: 'PUT', body: { paused: false } },
    ]);
  });

  it('resets everything learned after asking', async () => {
    const sent = preferencesApi();
    const { user } = await openPreferences();
    await screen.findByRole('list', { name: 'Learned preferences' });

    await user.click(screen.getByRole('button', { name: 'Reset' }));
    expect(await screen.findByText('Forget everything learned?')).toBeInTheDocument();
    const confirm = screen.getAllByRole('button', { name: 'Reset' }).at(-1)!;
    await user.click(confirm);

    expect(await screen.findByText('Preferences reset')).toBeInTheDocument();
    expect(await screen.findByText(/Nothing learned yet/)).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Learned preferences' })).not.toBeInTheDocument();
    expect(sent).toEqual([{ method: 'DELETE' }]);
  });

  it('says so when the reset fails and keeps what was learned', async () => {
    preferencesApi();
    server.use(
      http.delete('*/api/v1/me/preferences', () =>
        HttpResponse.json(
          { code: 'database_unavailable', message: 'The database is unavailable right now; try again shortly', details: null, request_id: null },
          { status: 503 },
        ),
      ),
    );
    const { user } = await openPreferences();
    await screen.findByRole('list', { name: 'Learned preferences' });

    await user.click(screen.getByRole('button', { name: 'Reset' }));
    await user.click(screen.getAllByRole('button', { name: 'Reset' }).at(-1)!);

    expect(await screen.findByText(/The database is unavailable right now/)).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Learned preferences' })).toBeInTheDocument();
  });
});
