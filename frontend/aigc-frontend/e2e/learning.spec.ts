import { expect, type Page, test } from '@playwright/test';
import { admin, ensureReportScenario, registerUser, signIn, useLanguage } from './support';

async function askAndRate(page: Page, text: string, index: number) {
  await page.getByPlaceholder(/Write a message/).fill(text);
  await page.keyboard.press('Enter');
  const answers = page.getByRole('group', { name: 'Rate this answer' });
  await expect(answers).toHaveCount(index + 1, { timeout: 20_000 });
  const bar = answers.nth(index);
  await bar.getByRole('button', { name: 'Bad answer' }).click();
  await expect(bar.getByRole('button', { name: 'Bad answer' })).toHaveAttribute('aria-pressed', 'true');
  const details = page.getByRole('group', { name: 'Feedback details' });
  await details.getByRole('checkbox', { name: 'Too long' }).check();
  await details.getByLabel('Comment (optional)').fill('Too long, keep it short');
  await page.getByRole('button', { name: 'Send feedback' }).click();
  await expect(page.getByText('Thanks for the feedback').last()).toBeVisible();
  await expect(details).toBeHidden();
}

test('feedback is given, an admin runs the learning job and the user sees the learned preference', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  await ensureReportScenario();
  const user = await registerUser('learn');

  const userPage = await browser.newPage();
  await useLanguage(userPage);
  await signIn(userPage, user.username, user.password);
  await userPage.getByRole('article', { name: 'E2E reports' }).getByRole('button', { name: 'Start' }).click();
  // Start opens a new chat with the scenario; the session is created with the first message.
  await expect(userPage).toHaveURL(/\/chat\?scenario=/);
  await expect(userPage.getByRole('button', { name: 'Please write a report about solar energy' })).toBeVisible();
  await askAndRate(userPage, 'Explain what a vector database is', 0);
  await expect(userPage).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  await askAndRate(userPage, 'Explain what an embedding is', 1);

  const adminPage = await browser.newPage();
  await useLanguage(adminPage);
  await signIn(adminPage, admin.username, admin.password);
  await adminPage.goto('/admin?tab=jobs');
  await adminPage.getByLabel('Min. feedback').fill('2');
  await adminPage.getByRole('button', { name: 'Run now' }).click();
  await expect(adminPage.getByText(/Learning finished: [1-9]\d* of/)).toBeVisible({ timeout: 30_000 });
  await adminPage.close();

  await userPage.goto('/preferences');
  const list = userPage.getByRole('list', { name: 'Learned preferences' });
  await expect(list.getByRole('listitem').first()).toBeVisible();
  await expect(list).toContainText(/concise|short|brief/i);
  await list.getByRole('button', { name: /From \d+ feedback/ }).first().click();
  await expect(list.getByText('Too long, keep it short').first()).toBeVisible();
  await userPage.close();
});
