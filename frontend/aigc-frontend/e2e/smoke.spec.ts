import { expect, test } from '@playwright/test';

/** The UI language is chosen in the app (default Chinese); the specs pin English through localStorage. */
test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => localStorage.setItem('aigc.language', 'en-US'));
});

test('an anonymous visitor lands on a working sign-in page', async ({ page }) => {
  const info = page.waitForResponse((r) => r.url().endsWith('/api/v1/platform/info'));
  await page.goto('/');

  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Username or email')).toBeVisible();
  await expect(page.getByLabel('Password')).toBeVisible();
  expect((await info).ok()).toBe(true);
});

test('wrong credentials are reported', async ({ page }) => {
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(`nobody-${Date.now()}`);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('alert')).toContainText(/incorrect username or password/i);
});

test('a user signs in, survives a reload and signs out', async ({ page }) => {
  const username = process.env.E2E_USERNAME;
  const password = process.env.E2E_PASSWORD;
  test.skip(!username || !password, 'set E2E_USERNAME and E2E_PASSWORD to run the sign-in flow');

  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(username!);
  await page.getByLabel('Password').fill(password!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Scenarios' })).toBeVisible();

  // The access token is in memory only: the refresh cookie restores the session after a reload.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Scenarios' })).toBeVisible();
  expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toMatch(/eyJ/);

  await page.getByRole('button', { name: /Account menu for/ }).click();
  await page.getByRole('menuitem', { name: /Sign out/ }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
});
