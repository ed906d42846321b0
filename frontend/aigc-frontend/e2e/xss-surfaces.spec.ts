import { expect, request, test, type Page } from '@playwright/test';
import { apiAs, mockURL, registerUser, signIn, uniqueName, useLanguage } from './support';

// Script and event-handler payloads in everything a user or an agent can name: each must show as text.
const tag = (n: number) => `<img src=x onerror="window.__xss=${n}"><script>window.__xss=${n + 100}</script>`;

async function expectInert(page: Page, dialogs: string[]): Promise<void> {
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  // No element carries a handler from the payloads, and no script holds their code.
  expect(await page.locator('[onerror]').count()).toBe(0);
  const inlineScripts = await page.locator('script').evaluateAll((nodes) =>
    nodes.map((node) => node.textContent ?? '').filter((text) => text.includes('__xss')),
  );
  expect(inlineScripts).toEqual([]);
}

test('scenario, skill, session title and artifact name payloads render inert', async ({ page }) => {
  test.skip(!mockURL, 'needs E2E_MOCK_URL (the scripted model control API)');
  const user = await registerUser('xsss');
  const api = await apiAs(user.username, user.password);
  const mock = await request.newContext({ baseURL: mockURL });
  const original = await (await mock.get('/_mock/script')).json();
  const rules = Array.isArray(original) ? original : original.rules;
  const fileName = '<img src=x onerror=window.__xss=7>.md';
  await mock.put('/_mock/script', {
    data: {
      rules: [
        {
          name: 'xss-file',
          user: 'xss-file',
          steps: [{ text: 'Writing.', tool_uses: [{ name: 'Write', input: { file_path: `{{cwd}}/${fileName}`, content: '# hi' } }] }, 'Written.'],
        },
        ...rules,
      ],
    },
  });
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  try {
    const scenarioName = `Evil ${uniqueName('s')}`;
    const scenario = await api.post('/api/v1/scenarios', {
      data: {
        name: `${scenarioName} ${tag(1)}`.slice(0, 100),
        description: `${tag(2)} [click](javascript:window.__xss=3)`,
        tags: ['<b onclick=window.__xss=4>'],
        example_prompts: [tag(5)],
      },
    });
    expect(scenario.status(), await scenario.text()).toBe(201);
    const skillName = uniqueName('evil-skill');
    const skill = await api.post('/api/v1/skills', {
      data: {
        files: [{ path: 'SKILL.md', content: `---\nname: ${skillName}\ndescription: "${tag(8).replace(/"/g, "'")}"\n---\n\n${tag(9)}\n` }],
      },
    });
    expect(skill.status(), await skill.text()).toBe(201);
    const session = await api.post('/api/v1/sessions', { data: { scenario_id: ((await scenario.json()) as { id: string }).id } });
    const sessionId = ((await session.json()) as { id: string }).id;
    const turn = await api.post(`/api/v1/sessions/${sessionId}/messages`, { data: { content: 'xss-file' } });
    expect(turn.status()).toBe(200);
    // The turn's last event is `done`; its JSON may or may not have spaces after the colons.
    expect(await turn.text()).toMatch(/event: done\ndata: \{[^\n]*"status": ?"ok"/);
    await api.patch(`/api/v1/sessions/${sessionId}`, { data: { title: `Title ${tag(10)}` } });

    await useLanguage(page);
    await signIn(page, user.username, user.password);

    await page.goto('/scenarios');
    await expect(page.getByText(scenarioName, { exact: false }).first()).toBeVisible();
    await expectInert(page, dialogs);

    await page.goto('/skills');
    await expect(page.getByText(skillName).first()).toBeVisible();
    await expectInert(page, dialogs);

    await page.goto('/history');
    await expect(page.getByText('Title <img', { exact: false }).first()).toBeVisible();
    await expectInert(page, dialogs);

    await page.goto(`/chat/${sessionId}`);
    await expect(page.getByText(fileName).first()).toBeVisible();
    await expectInert(page, dialogs);
  } finally {
    await mock.put('/_mock/script', { data: { rules } });
    await mock.dispose();
    await api.dispose();
  }
});
