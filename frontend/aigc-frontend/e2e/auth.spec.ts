import { expect, test } from '@playwright/test';
import { PASSWORD, uniqueName, useLanguage } from './support';

test.beforeEach(async ({ page }) => {
  await useLanguage(page);
});

test('a visitor registers, signs in and sees the scenario gallery', async ({ page }) => {
  const username = uniqueName('reg');
  await page.goto('/register');
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Username or email')).toHaveValue(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('heading', { name: 'Scenarios', level: 1 })).toBeVisible();
  await expect(page.getByRole('article').first()).toBeVisible();
  await expect(page.getByRole('button', { name: `Account menu for ${username}` })).toBeVisible();
});
