import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { ensureReportScenario, registerUser, signIn, useLanguage } from './support';

test.beforeAll(async () => {
  await ensureReportScenario();
});

test.beforeEach(async ({ page }) => {
  await useLanguage(page);
});

test('a user picks a scenario, watches the streamed answer and its tool call, and downloads the file', async ({
  page,
}) => {
  const user = await registerUser('chat');
  await signIn(page, user.username, user.password);

  const card = page.getByRole('article', { name: 'E2E reports' });
  await expect(card).toBeVisible();
  await card.getByRole('button', { name: 'Please write a report about solar energy' }).click();

  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const log = page.getByRole('log', { name: 'Messages' });
  await expect(log.getByText('Please write a report about solar energy')).toBeVisible();
  // The scripted model's report rule writes report.md with the Write tool, then answers.
  const tool = log.getByTestId('tool-call').filter({ hasText: 'Write' });
  await expect(tool).toBeVisible();
  await expect(log.getByText(/report\.md/).first()).toBeVisible();
  await expect(log.getByTestId('usage-line')).toBeVisible();

  await tool.click();
  await expect(log.getByText(/File created successfully/)).toBeVisible();

  const files = page.getByRole('complementary', { name: 'Files' });
  await expect(files.getByText('report.md')).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    files.getByRole('button', { name: 'Download report.md' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('report.md');
  const content = await readFile((await download.path())!, 'utf8');
  expect(content).toMatch(/^# /);

  await files.getByRole('button', { name: 'Preview report.md' }).click();
  const dialog = page.getByRole('dialog', { name: 'report.md' });
  await expect(dialog.getByRole('heading', { level: 1 })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();

  // After a reload the conversation comes back from the server.
  await page.reload();
  await expect(page.getByRole('log', { name: 'Messages' }).getByTestId('tool-call')).toBeVisible();
});
