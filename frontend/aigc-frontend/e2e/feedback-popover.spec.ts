import { expect, test } from '@playwright/test';
import { registerUser, signIn, useLanguage } from './support';

for (const viewport of [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
]) {
  test(`the feedback details: tags per thumb, and Cancel is reachable and cancels (${viewport.name})`, async ({
    page,
  }) => {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await useLanguage(page);
    const user = await registerUser('rate');
    await signIn(page, user.username, user.password);
    await page.goto('/chat');
    await page.getByRole('textbox', { name: 'What do you want to create?' }).fill('Say hello');
    await page.keyboard.press('Enter');
    const bar = page.getByRole('group', { name: 'Rate this answer' });
    await expect(bar).toBeVisible({ timeout: 20_000 });

    const up = bar.getByRole('button', { name: 'Good answer' });
    await up.click();
    const details = page.getByRole('group', { name: 'Feedback details' });
    await expect(details.getByRole('checkbox', { name: 'Helpful' })).toBeVisible();
    await expect(details.getByRole('checkbox', { name: 'Off topic' })).toHaveCount(0);
    // A plain click: Playwright refuses it if the thumb's tooltip lies over the button.
    await details.getByRole('button', { name: 'Cancel' }).click();
    await expect(details).toBeHidden();
    await expect(up).toHaveAttribute('aria-pressed', 'false');
    await expect(bar.getByRole('button', { name: 'Add details' })).toHaveCount(0);

    await bar.getByRole('button', { name: 'Bad answer' }).click();
    await expect(details.getByRole('checkbox', { name: 'Off topic' })).toBeVisible();
    await expect(details.getByRole('checkbox', { name: 'Helpful' })).toHaveCount(0);
    await details.getByRole('button', { name: 'Send feedback' }).click();
    await expect(bar.getByRole('button', { name: 'Bad answer' })).toHaveAttribute('aria-pressed', 'true');

    // What the server kept: the thumbs down, not the cancelled thumbs up.
    await page.reload();
    await expect(page.getByRole('group', { name: 'Rate this answer' }).getByRole('button', { name: 'Bad answer' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });
}
