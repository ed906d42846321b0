import { type APIRequestContext, expect, type Page, request, test } from '@playwright/test';
import { mockURL, registerUser, signIn, useLanguage } from './support';

/** A reply taller than the screen (short lines, so it streams quickly), so following it (or not) shows. */
const LONG_ANSWER = [...Array.from({ length: 24 }, (_, i) => `Paragraph ${i + 1}.`), 'Last line {{1}}.'].join('\n\n');

let mock: APIRequestContext;
let rules: unknown[];

test.beforeAll(async () => {
  test.skip(!mockURL, 'needs E2E_MOCK_URL (the scripted model control API)');
  mock = await request.newContext({ baseURL: mockURL });
  const original = await (await mock.get('/_mock/script')).json();
  rules = Array.isArray(original) ? original : original.rules;
  await mock.put('/_mock/script', {
    data: { rules: [{ name: 'long', user: 'follow-me (\\d+)', steps: [LONG_ANSWER] }, ...rules] },
  });
});

test.afterAll(async () => {
  if (!mock) return;
  await mock.put('/_mock/script', { data: { rules } });
  await mock.dispose();
});

async function send(page: Page, text: string) {
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill(text);
  await input.press('Enter');
}

for (const viewport of [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test.describe(viewport.name, () => {
    test.use({ viewport: { width: viewport.width, height: viewport.height } });

    test('the chat follows the answer while the reader is at the bottom, and opens at its end', async ({
      page,
    }) => {
      await useLanguage(page);
      const user = await registerUser('follow');
      await signIn(page, user.username, user.password);
      await page.goto('/chat');
      await page.getByRole('textbox', { name: 'What do you want to create?' }).fill('follow-me 1');
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);

      const log = page.getByRole('log', { name: 'Messages' });
      const jump = page.getByRole('button', { name: 'Jump to latest' });
      await expect(log.getByText('Last line 1.')).toBeInViewport();
      await expect(jump).toBeHidden();

      // A second exchange below the first: the view goes down with it.
      await send(page, 'follow-me 2');
      await expect(log.getByText('Last line 2.')).toBeInViewport();
      await expect(log.getByTestId('usage-line').nth(1)).toBeInViewport();

      // Reading back: the view stays, and a button brings the reader to the newest message.
      await log.hover();
      await page.mouse.wheel(0, -2500);
      await expect(jump).toBeVisible();
      await expect(log.getByText('Last line 2.')).not.toBeInViewport();
      await jump.click();
      await expect(log.getByText('Last line 2.')).toBeInViewport();
      await expect(jump).toBeHidden();

      // An existing chat opens at its end.
      await page.reload();
      await expect(log.getByText('Last line 2.')).toBeInViewport();
      await expect(log.getByText('Paragraph 1.').first()).not.toBeInViewport();

      // The page itself never scrolls sideways or as a whole: the messages scroll inside it.
      const overflow = await page.evaluate(() => ({
        x: document.documentElement.scrollWidth - window.innerWidth,
        y: document.documentElement.scrollHeight - window.innerHeight,
      }));
      expect(overflow.x).toBeLessThanOrEqual(0);
      expect(overflow.y).toBeLessThanOrEqual(0);
    });
  });
}
