import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { domain, makeScenario, sse, sseEvent } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';

function seed() {
  mockApi.refreshCookieFor = 'alice';
  domain.scenarios = [
    makeScenario({ name: 'Report writer', category: 'writing', tags: ['report'], example_prompts: ['Write a report about tea'], translations: { 'zh-CN': { name: '报告撰写' } } }),
    makeScenario({ name: 'Data helper', category: 'data', tags: ['csv'], description: 'Cleans spreadsheets' }),
  ];
}

describe('scenario gallery', () => {
  it('filters by search and category', async () => {
    seed();
    const { user } = renderApp('/scenarios');
    const report = await screen.findByRole('article', { name: 'Report writer' });
    const data = screen.getByRole('article', { name: 'Data helper' });

    await user.click(screen.getByRole('searchbox', { name: 'Search scenarios' }));
    await user.paste('spreadsheet');
    await waitFor(() => expect(report).not.toBeInTheDocument());
    expect(data).toBeInTheDocument();

    await user.clear(screen.getByRole('searchbox', { name: 'Search scenarios' }));
    await user.click(screen.getByRole('combobox', { name: 'Category' }));
    await user.click(await screen.findByTitle('writing'));
    await waitFor(() => expect(data).not.toBeInTheDocument());
    expect(screen.getByText('Report writer')).toBeInTheDocument();
  });

  it('starts a session with an example prompt and sends it', async () => {
    seed();
    domain.turn = sse([sseEvent('text_delta', { text: 'On it' }), sseEvent('done', { status: 'ok' })]);
    const { user, router } = renderApp('/scenarios');
    const card = await screen.findByRole('article', { name: 'Report writer' });
    await user.click(within(card).getByRole('button', { name: 'Write a report about tea' }));

    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/chat\/[0-9a-f-]{36}$/));
    expect(domain.created).toEqual([{ scenario_id: domain.scenarios[0].id, first_message: 'Write a report about tea' }]);
    await waitFor(() => expect(domain.sent.map((m) => m.content)).toEqual(['Write a report about tea']));
  });

  it('toggles a favourite', async () => {
    seed();
    const { user } = renderApp('/scenarios');
    const star = await screen.findByRole('button', { name: 'Favourite: Data helper' });
    expect(star).toHaveAttribute('aria-pressed', 'false');
    await user.click(star);
    await waitFor(() => expect(star).toHaveAttribute('aria-pressed', 'true'));
  });

  it('suggests scenarios for a first message typed into the named match box', async () => {
    seed();
    const { user } = renderApp('/scenarios');
    const box = await screen.findByRole('textbox', { name: 'Your first message' });
    expect(screen.getAllByLabelText('Your first message')).toEqual([box]);
    await user.click(box);
    await user.paste('a tea report');
    await user.keyboard('{Enter}');

    expect(await screen.findByText('Matches report')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Start with Report writer' })).toBeInTheDocument();
  });
});
