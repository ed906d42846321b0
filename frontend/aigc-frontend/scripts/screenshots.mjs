#!/usr/bin/env node
// Signs in to a running platform (E2E_BASE_URL, admin from E2E_ADMIN_USERNAME/PASSWORD), creates some
// data through the UI and the API, and saves PNG screenshots of the main pages in Chinese and English
// (and a few in dark mode) into SCREENSHOTS_DIR. Run through scripts/screenshots.sh.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, request } from '@playwright/test';

const baseURL = process.env.E2E_BASE_URL;
const out = process.env.SCREENSHOTS_DIR;
const admin = { username: process.env.E2E_ADMIN_USERNAME, password: process.env.E2E_ADMIN_PASSWORD };
if (!baseURL || !out || !admin.username) {
  console.error('screenshots: set E2E_BASE_URL, SCREENSHOTS_DIR, E2E_ADMIN_USERNAME and E2E_ADMIN_PASSWORD');
  process.exit(2);
}
await mkdir(out, { recursive: true });

async function api() {
  const anon = await request.newContext({ baseURL });
  const login = await anon.post('/api/v1/auth/login', { form: { ...admin, grant_type: 'password' } });
  const { access_token: token } = await login.json();
  await anon.dispose();
  return request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
}

async function check(response) {
  if (!response.ok()) throw new Error(`${response.url()}: ${response.status()} ${await response.text()}`);
  return response.status() === 204 ? null : response.json();
}

/** Sends a message and waits for the streamed turn to end (the SSE body completes with `done`). */
async function turn(ctx, sessionId, content) {
  const response = await ctx.post(`/api/v1/sessions/${sessionId}/messages`, { data: { content } });
  const body = await response.text();
  if (!body.includes('event: done')) throw new Error(`turn did not finish: ${body.slice(-300)}`);
}

const ctx = await api();
// Seed: a skill, a few conversations with feedback, then learning so the preferences page has content.
await check(
  await ctx.post('/api/v1/skills', {
  data: {
    is_public: true,
    files: [
      {
        path: 'SKILL.md',
        content: '---\nname: brand-voice\ndescription: "Writes in the company voice: short sentences, active verbs, no jargon."\n---\n\n# Brand voice\n\n1. Prefer short sentences.\n2. Use active verbs.\n3. Avoid jargon; explain terms once.\n',
      },
      { path: 'examples/good.md', content: '# Good example\n\nWe ship on Fridays. You get the update on Monday.\n' },
    ],
  },
  }),
);
const scenarios = (await check(await ctx.get('/api/v1/scenarios', { params: { limit: 50 } }))).items;
const pick = (slugPart) => scenarios.find((s) => s.slug.includes(slugPart)) ?? scenarios[0];
const prompts = [
  [pick('report'), 'Please write a report about solar energy adoption in small cities'],
  [pick('data'), 'Make a CSV table of marketing channels'],
  [pick('general'), '请写一份关于远程办公的报告'],
];
const reportScenario = pick('report');
const sessions = [];
for (const [scenario, prompt] of prompts) {
  const session = await check(await ctx.post('/api/v1/sessions', { data: { scenario_id: scenario?.id } }));
  await turn(ctx, session.id, prompt);
  sessions.push(session.id);
}
for (const sessionId of sessions) {
  const detail = await check(await ctx.get(`/api/v1/sessions/${sessionId}`));
  const answer = detail.messages.filter((m) => m.role === 'assistant').at(-1);
  await check(
    await ctx.put(`/api/v1/messages/${answer.id}/feedback`, {
      data: { rating: 'down', score: 2, tags: ['too_long', 'wrong_format'], comment: 'Too long, please use bullet points' },
    }),
  );
}
await check(await ctx.post('/api/v1/platform/cron/batch-learn-preferences', { params: { min_feedback_count: 2 } }));
await ctx.dispose();

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});

async function shoot(language, theme) {
  const context = await browser.newContext({ baseURL, viewport: { width: 1440, height: 900 }, locale: language, deviceScaleFactor: 1 });
  await context.addInitScript(
    ([lang, mode]) => {
      localStorage.setItem('aigc.language', lang);
      localStorage.setItem('aigc.theme', mode);
    },
    [language, theme],
  );
  const page = await context.newPage();
  const suffix = `${language}${theme === 'dark' ? '-dark' : ''}`;
  const save = async (name) => {
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, `${name}-${suffix}.png`) });
    console.log(`screenshots: ${name}-${suffix}.png`);
  };

  await page.goto('/sign-in');
  await page.locator('#username').or(page.getByLabel(language === 'en-US' ? 'Username or email' : '用户名或邮箱')).first().fill(admin.username);
  await page.locator('input[type=password]').first().fill(admin.password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(/\/scenarios$/);
  await page.locator('.scenario-card').first().waitFor();
  await save('gallery');

  await page.goto(`/chat/${sessions[0]}`);
  await page.locator('[data-testid=tool-call]').first().waitFor();
  await page.locator('[data-testid=tool-call]').first().click();
  await save('chat');

  await page.goto(`/chat/${sessions[1]}`);
  await page.locator('[data-testid=tool-call]').first().waitFor();
  await page.locator('.artifact-list button').first().click();
  await page.getByRole('dialog').waitFor();
  await save('artifact-preview');
  await page.keyboard.press('Escape');

  await page.goto(`/chat?scenario=${reportScenario.id}`);
  await page.locator('.new-chat h1').waitFor();
  await save('new-chat');

  await page.goto('/history');
  await page.locator('.history-row').first().waitFor();
  await save('history');

  await page.goto('/skills');
  await page.locator('.ant-table-row').first().waitFor();
  await save('skills');
  await page.locator('.ant-table-row button:has(.anticon-edit)').first().click();
  await page.locator('.skill-editor').waitFor();
  await page.locator('.skill-preview h1').waitFor();
  await save('skill-editor');

  await page.goto('/preferences');
  await page.locator('.preference-card').first().waitFor();
  await save('preferences');

  await page.goto('/admin');
  await page.locator('.recharts-surface').first().waitFor();
  await save('admin-dashboard');
  await page.goto('/admin?tab=jobs');
  await page.locator('.ant-table-row').first().waitFor();
  await save('admin-jobs');
  await page.goto('/admin?tab=scenarios');
  await page.locator('.ant-table-row').first().waitFor();
  await save('admin-scenarios');
  await context.close();
}

/** The phone layout (390x844): drawer menu, a chat with its input at the bottom, files behind a button. */
async function shootPhone(language) {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 390, height: 844 },
    locale: language,
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
  });
  await context.addInitScript((lang) => localStorage.setItem('aigc.language', lang), language);
  const page = await context.newPage();
  const save = async (name) => {
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(out, `phone-${name}-${language}.png`) });
    console.log(`screenshots: phone-${name}-${language}.png`);
  };

  await page.goto('/sign-in');
  await page.locator('#username').or(page.getByLabel(language === 'en-US' ? 'Username or email' : '用户名或邮箱')).first().fill(admin.username);
  await page.locator('input[type=password]').first().fill(admin.password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(/\/scenarios$/);
  await page.locator('.scenario-card').first().waitFor();
  await save('gallery');

  await page.locator('.app-header button').first().click();
  await page.locator('.ant-drawer-open .ant-menu').waitFor();
  await save('navigation');
  await page.keyboard.press('Escape');

  await page.goto(`/chat/${sessions[0]}`);
  await page.locator('[data-testid=tool-call]').first().waitFor();
  await save('chat');
  await page.locator('.conversation-files-button button').click();
  await page.locator('.ant-drawer-open .artifact-list').waitFor();
  await save('chat-files');
  await page.keyboard.press('Escape');

  await page.goto(`/chat?scenario=${reportScenario.id}`);
  await page.locator('.new-chat h1').waitFor();
  await save('new-chat');

  await page.goto('/history');
  await page.locator('.history-row').first().waitFor();
  await save('history');

  await page.goto('/admin');
  await page.locator('.recharts-surface').first().waitFor();
  await save('admin-dashboard');
  await context.close();
}

try {
  await shootPhone('zh-CN');
  await shootPhone('en-US');
  await shoot('zh-CN', 'light');
  await shoot('en-US', 'light');
  await shoot('en-US', 'dark');
} finally {
  await browser.close();
}
