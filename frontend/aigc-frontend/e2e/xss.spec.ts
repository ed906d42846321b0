import { expect, request, test } from '@playwright/test';
import { mockURL, registerUser, signIn, useLanguage } from './support';

const PAYLOAD =
  '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> [click](javascript:window.__xss=3) Done.';

test('a model reply carrying HTML and javascript: links renders inert', async ({ page }) => {
  test.skip(!mockURL, 'needs E2E_MOCK_URL (the scripted model control API)');
  const mock = await request.newContext({ baseURL: mockURL });
  const original = await (await mock.get('/_mock/script')).json();
  const rules = Array.isArray(original) ? original : original.rules;
  await mock.put('/_mock/script', { data: { rules: [{ name: 'xss', user: 'xss-test', steps: [PAYLOAD] }, ...rules] } });
  try {
    await useLanguage(page);
    const user = await registerUser('xss');
    await signIn(page, user.username, user.password);
    await page.goto('/chat');
    await page.getByPlaceholder(/What do you want to create/).fill('xss-test please');
    await page.keyboard.press('Enter');

    const log = page.getByRole('log', { name: 'Messages' });
    await expect(log.getByText('Done.')).toBeVisible();
    // The link keeps its text but loses its javascript: target (an <a> without href is not a link).
    const link = log.locator('a', { hasText: 'click' });
    await expect(link).toBeVisible();
    await link.click();
    await page.waitForTimeout(300);

    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const html = await log.innerHTML();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/onerror/i);
    expect(html).not.toMatch(/javascript:/i);
    expect(await link.getAttribute('href')).toBeNull();
    expect(await log.locator('img[onerror], img[src], script').count()).toBe(0);
  } finally {
    await mock.put('/_mock/script', { data: { rules } });
    await mock.dispose();
  }
});
