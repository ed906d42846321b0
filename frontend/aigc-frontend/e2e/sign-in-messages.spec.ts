import { expect, test } from '@playwright/test';
import { admin, apiAs, registerUser, useLanguage } from './support';

test('a disabled account is told so after the right password, in both languages; a wrong password is not', async ({
  page,
}) => {
  const user = await registerUser('disabled');
  const api = await apiAs(admin.username, admin.password);
  const found = await api.get('/api/v1/users', { params: { search: user.username } });
  const { id } = ((await found.json()) as { items: { id: string; username: string }[] }).items.find(
    (item) => item.username === user.username,
  )!;
  const patched = await api.patch(`/api/v1/users/${id}`, { data: { is_active: false } });
  expect(patched.ok(), await patched.text()).toBe(true);
  await api.dispose();

  await useLanguage(page, 'en-US');
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(user.username);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('Incorrect username or password');

  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'This account has been disabled. Ask an administrator to enable it again.',
  );

  await page.evaluate(() => localStorage.setItem('aigc.language', 'zh-CN'));
  const zh = await page.context().newPage();
  await zh.goto('/sign-in');
  await zh.getByLabel('用户名或邮箱').fill(user.username);
  await zh.getByLabel('密码', { exact: true }).fill(user.password);
  await zh.getByRole('button', { name: /登\s*录/ }).click();
  await expect(zh.getByRole('alert')).toHaveText('该账户已被停用，请联系管理员重新启用。');
});

test('a signed-out page load asks nothing it cannot get: no 401 and no console errors', async ({ page }) => {
  const unauthorized: string[] = [];
  const errors: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 401) unauthorized.push(response.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await useLanguage(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  expect(unauthorized).toEqual([]);
  expect(errors).toEqual([]);
});
