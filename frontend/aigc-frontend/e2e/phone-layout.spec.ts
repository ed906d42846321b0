import { expect, type Page, test } from '@playwright/test';
import { admin, ensureReportScenario, signIn, useLanguage } from './support';

const USER_MENU = /Account menu for|的账户菜单/;
const PAGES = ['/scenarios', '/chat', '/history', '/skills', '/preferences', '/admin'];

async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** How much of an element's text is cut off (0 when it shows whole). */
async function truncation(page: Page, selector: string): Promise<number> {
  return page.locator(selector).first().evaluate((el) => el.scrollWidth - el.clientWidth);
}

test.beforeAll(async () => {
  await ensureReportScenario();
});

const PHONES = [
  { width: 360, language: 'en-US' },
  { width: 390, language: 'zh-CN' },
  { width: 430, language: 'en-US' },
] as const;

for (const { width, language } of PHONES) {
  test(`every page fits a ${width} px phone (${language})`, async ({ page }) => {
    await page.setViewportSize({ width, height: 844 });
    await page.addInitScript(() => {
      if (!localStorage.getItem('aigc.language')) localStorage.setItem('aigc.language', 'en-US');
    });
    await signIn(page, admin.username, admin.password);
    await page.evaluate((value) => localStorage.setItem('aigc.language', value), language);
    for (const path of PAGES) {
      await page.goto(path);
      await expect(page.locator('#page-title, h1').first()).toBeVisible();
      await expect(page.locator('html')).toHaveAttribute('lang', language);
      expect(await sidewaysOverflow(page), `${path} scrolls sideways`).toBeLessThanOrEqual(0);
      // The frame: a menu button instead of the icon strip, the whole brand, the user menu on screen.
      await expect(page.locator('.ant-layout-sider')).toHaveCount(0);
      expect(await truncation(page, '.app-brand'), `brand cut off on ${path}`).toBeLessThanOrEqual(0);
      await expect(page.getByRole('banner').getByRole('button', { name: USER_MENU })).toBeInViewport({ ratio: 1 });
    }
  });
}

test('the phone menu is a drawer with every page, the language and the theme', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await useLanguage(page);
  await signIn(page, admin.username, admin.password);

  await page.getByRole('button', { name: 'Open navigation' }).click();
  const drawer = page.getByRole('dialog');
  const nav = drawer.getByRole('navigation', { name: 'Main navigation' });
  await expect(nav.getByRole('menuitem', { name: 'History' })).toBeVisible();
  await expect(nav.getByRole('menuitem', { name: 'Admin' })).toBeVisible();

  await drawer.getByRole('switch', { name: 'Dark mode' }).click();
  await expect(page.locator('.aigc-theme-dark')).not.toHaveCount(0);

  await nav.getByRole('menuitem', { name: 'History' }).click();
  await expect(page).toHaveURL(/\/history$/);
  await expect(page.getByRole('dialog')).toBeHidden();

  // The user menu stays in the header: signing out is one tap away.
  await page.getByRole('banner').getByRole('button', { name: USER_MENU }).click();
  await expect(page.getByRole('menuitem', { name: 'Sign out' })).toBeVisible();
});

test('a phone chat keeps the input at the bottom and the files behind a button', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await useLanguage(page);
  await signIn(page, admin.username, admin.password);
  await page.getByRole('article', { name: 'E2E reports' })
    .getByRole('button', { name: 'Please write a report about solar energy' })
    .click();
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const log = page.getByRole('log', { name: 'Messages' });
  await expect(log.getByTestId('usage-line')).toBeVisible();

  const input = page.getByRole('textbox', { name: 'Message' });
  const box = (await input.boundingBox())!;
  expect(box.y + box.height, 'the input sits at the bottom of the screen').toBeGreaterThan(844 - 140);
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  await expect(page.getByRole('complementary', { name: 'Files' })).toHaveCount(0);

  await page.getByRole('button', { name: 'Files (1)' }).click();
  const files = page.getByRole('dialog');
  await expect(files.getByText('report.md')).toBeVisible();
  await expect(files.getByRole('button', { name: 'Download report.md' })).toBeVisible();
});

test('the desktop frame keeps its side navigation, whole brand and files panel', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await useLanguage(page);
  await signIn(page, admin.username, admin.password);
  await expect(page.locator('.ant-layout-sider')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open navigation' })).toHaveCount(0);
  expect(await truncation(page, '.app-brand-side')).toBeLessThanOrEqual(0);
  await expect(page.getByRole('banner').getByRole('switch', { name: 'Dark mode' })).toBeVisible();

  await page.getByRole('article', { name: 'E2E reports' })
    .getByRole('button', { name: 'Please write a report about solar energy' })
    .click();
  await expect(page.getByRole('log', { name: 'Messages' }).getByTestId('usage-line')).toBeVisible();
  await expect(page.getByRole('complementary', { name: 'Files' }).getByText('report.md')).toBeVisible();
  expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
});
