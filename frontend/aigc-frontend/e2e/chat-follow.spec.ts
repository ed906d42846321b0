import { type APIRequestContext, expect, type Page, request, test } from '@playwright/test';
import { apiAs, mockURL, registerUser, signIn, useLanguage } from './support';

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
      // The first exchange goes through the API: the page must open an existing long chat at its end.
      const user = await registerUser('follow');
      const api = await apiAs(user.username, user.password);
      const created = await api.post('/api/v1/sessions', { data: { scenario_id: 'auto', first_message: 'follow-me 1' } });
      expect(created.status(), await created.text()).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const first = await api.post(`/api/v1/sessions/${id}/messages`, { data: { content: 'follow-me 1' } });
      expect(await first.text()).toContain('event: done');
      await api.dispose();

      await useLanguage(page);
      await signIn(page, user.username, user.password);
      await page.goto(`/chat/${id}`);
      const log = page.getByRole('log', { name: 'Messages' });
      const jump = page.getByRole('button', { name: 'Jump to latest' });
      await expect(log.getByText('Last line 1.')).toBeInViewport();
      await expect(log.getByText('Paragraph 1.').first()).not.toBeInViewport();
      await expect(jump).toBeHidden();

      // A second exchange below the first: the view goes down with the streamed answer.
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
