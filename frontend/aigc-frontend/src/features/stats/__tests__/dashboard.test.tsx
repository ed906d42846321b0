import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { StatsPublic } from '@/client/types.gen';
import { errorBody, mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

const STATS: StatsPublic = {
  scope: 'all',
  user_id: null,
  date_from: null,
  date_to: null,
  totals: { sessions: 12, messages: 48, turns: 30, errors: 2, input_tokens: 15000, output_tokens: 500, cost_usd: 1.25 },
  by_day: [{ day: '2025-01-05', sessions: 12, messages: 48, input_tokens: 15000, output_tokens: 500, cost_usd: 1.25 }],
  by_scenario: [
    { scenario_id: 's1', scenario_name: 'Report writer', sessions: 12, messages: 48, cost_usd: 1.25, feedback_up: 3, feedback_down: 1, satisfaction: 0.75 },
  ],
  by_model: [],
};

/** GET /sessions/stats; returns the query string of every request. */
function statsApi(stats = STATS) {
  const queries: URLSearchParams[] = [];
  server.use(
    http.get('*/api/v1/sessions/stats', ({ request }) => {
      queries.push(new URL(request.url).searchParams);
      return HttpResponse.json(stats);
    }),
  );
  return queries;
}

function daysAgo(days: number) {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

/** The figure under a statistic's title. */
const figure = (title: string) => screen.getByText(title, { selector: '.ant-statistic-title' }).closest('.ant-statistic')!;

describe('admin dashboard', () => {
  it('shows the totals of the last 30 days and which charts have data', async () => {
    const queries = statsApi();
    mockApi.refreshCookieFor = 'root';
    renderApp('/admin');

    await screen.findByText('Sessions', { selector: '.ant-statistic-title' });
    expect(figure('Sessions')).toHaveTextContent('12');
    expect(figure('Messages')).toHaveTextContent('48');
    expect(figure('Turns')).toHaveTextContent('30');
    expect(figure('Errors')).toHaveTextContent('2');
    expect(figure('Tokens')).toHaveTextContent('15,500');
    expect(figure('Cost')).toHaveTextContent('$1.25');
    expect(within(screen.getByRole('img', { name: 'By model' })).getByText('No data for this period')).toBeInTheDocument();
    expect(within(screen.getByRole('img', { name: 'By scenario' })).queryByText('No data for this period')).not.toBeInTheDocument();
    expect(within(screen.getByRole('img', { name: 'Satisfaction per scenario' })).queryByText('No data for this period')).not.toBeInTheDocument();
    expect(queries.map((query) => Object.fromEntries(query))).toEqual([{ date_from: daysAgo(29) }]);
  });

  it('asks for another period', async () => {
    const queries = statsApi();
    mockApi.refreshCookieFor = 'root';
    const { user } = renderApp('/admin');
    await screen.findByText('Sessions', { selector: '.ant-statistic-title' });

    await user.click(screen.getByText('Last 7 days'));
    await waitFor(() => expect(queries).toHaveLength(2));
    await user.click(screen.getByText('All time'));
    await waitFor(() => expect(queries).toHaveLength(3));
    expect(queries.map((query) => Object.fromEntries(query))).toEqual([{ date_from: daysAgo(29) }, { date_from: daysAgo(6) }, {}]);
  });

  it('says why the figures could not be loaded', async () => {
    server.use(
      http.get('*/api/v1/sessions/stats', () =>
        HttpResponse.json(errorBody('database_unavailable', 'The database is unavailable right now; try again shortly'), { status: 503 }),
      ),
    );
    mockApi.refreshCookieFor = 'root';
    renderApp('/admin');

    expect(await screen.findByText('The database is unavailable right now; try again shortly')).toBeInTheDocument();
  });
});
