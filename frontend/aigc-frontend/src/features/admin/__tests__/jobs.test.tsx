import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { JobPublic, JobRunPublic } from '@/client/types.gen';
import { errorBody, mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

function makeRun(overrides: Partial<JobRunPublic> = {}): JobRunPublic {
  return {
    id: crypto.randomUUID(),
    job_name: 'learn-preferences',
    trigger: 'schedule',
    status: 'ok',
    started_at: '2025-01-05T09:00:00Z',
    finished_at: '2025-01-05T09:00:02.500Z',
    parameters: { min_feedback_count: 5 },
    users_considered: 10,
    users_learned: 3,
    users_skipped: 7,
    users_failed: 0,
    error: null,
    ...overrides,
  };
}

/** GET /platform/cron/jobs and POST .../batch-learn-preferences; returns the "run now" query strings. */
function jobsApi(runNow: () => Response | Promise<Response>) {
  const job: JobPublic = {
    id: 'learn-preferences',
    name: 'Learn preferences from feedback',
    interval_seconds: 3600,
    next_run_at: '2025-01-05T10:00:00Z',
    scheduler_running: true,
    recent_runs: [makeRun(), makeRun({ trigger: 'manual', status: 'error', users_failed: 1, error: 'Model unavailable' })],
  };
  const runs: string[] = [];
  server.use(
    http.get('*/api/v1/platform/cron/jobs', () => HttpResponse.json([job])),
    http.post('*/api/v1/platform/cron/batch-learn-preferences', async ({ request }) => {
      runs.push(new URL(request.url).search);
      const response = await runNow();
      if (response.ok) job.recent_runs.unshift((await response.clone().json()) as JobRunPublic);
      return response;
    }),
  );
  return runs;
}

/** The rows of the recent-runs table, newest first. */
const runRows = () => screen.getAllByRole('row').filter((row) => row.textContent?.includes('considered'));

async function openJobs() {
  mockApi.refreshCookieFor = 'root';
  const app = renderApp('/admin?tab=jobs');
  await screen.findByRole('heading', { name: 'Learn preferences from feedback' });
  return app;
}

describe('jobs admin', () => {
  it('shows the schedule and the recent runs', async () => {
    jobsApi(() => HttpResponse.json(makeRun()));
    await openJobs();

    expect(screen.getByText('Every 60 min')).toBeInTheDocument();
    expect(screen.getByText('Running')).toBeInTheDocument();
    const rows = runRows();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('schedule');
    expect(rows[0]).toHaveTextContent('10 considered, 3 learned, 7 skipped, 0 failed');
    expect(rows[0]).toHaveTextContent('2.5 s');
    expect(rows[1]).toHaveTextContent('manual');
    expect(rows[1]).toHaveTextContent('error');
    expect(rows[1]).toHaveTextContent('Model unavailable');
  });

  it('runs learning now with the chosen threshold and reports the result', async () => {
    const runs = jobsApi(() => HttpResponse.json(makeRun({ trigger: 'manual', users_considered: 4, users_learned: 2, users_skipped: 2 })));
    const { user } = await openJobs();

    const threshold = screen.getByRole('spinbutton', { name: 'Min. feedback' });
    expect(threshold).toHaveValue('5');
    await user.clear(threshold);
    await user.type(threshold, '3');
    await user.click(screen.getByRole('button', { name: 'Run now' }));

    expect(await screen.findByText('Learning finished: 2 of 4 users updated')).toBeInTheDocument();
    expect(runs).toEqual(['?min_feedback_count=3']);
    await waitFor(() => expect(runRows()).toHaveLength(3));
    expect(runRows()[0]).toHaveTextContent('4 considered, 2 learned, 2 skipped, 0 failed');
  });

  it('says when a run is already in progress', async () => {
    const runs = jobsApi(() =>
      HttpResponse.json(errorBody('job_running', 'A learning run is already in progress; try again when it has finished'), { status: 409 }),
    );
    const { user } = await openJobs();

    await user.click(screen.getByRole('button', { name: 'Run now' }));

    expect(await screen.findByText('A learning run is already in progress; try again when it has finished')).toBeInTheDocument();
    expect(runs).toEqual(['?min_feedback_count=5']);
  });
});
