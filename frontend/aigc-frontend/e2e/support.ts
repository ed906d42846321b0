import { type APIRequestContext, expect, type Page, request } from '@playwright/test';

/** Helpers shared by the specs: accounts, sign-in, and seeding through the real API. */
export const baseURL = process.env.E2E_BASE_URL ?? '';
export const mockURL = process.env.E2E_MOCK_URL ?? '';
export const admin = { username: process.env.E2E_ADMIN_USERNAME ?? '', password: process.env.E2E_ADMIN_PASSWORD ?? '' };
export const PASSWORD = 'e2e-password-123';

export const REPORT_SCENARIO = {
  name: 'E2E reports',
  category: 'writing',
  icon: '📝',
  tags: ['report', 'markdown'],
  description: 'Writes structured reports and saves them as Markdown files.',
  example_prompts: ['Please write a report about solar energy'],
  translations: {
    'zh-CN': { name: 'E2E 报告', description: '撰写结构化报告并保存为 Markdown 文件。', example_prompts: ['请写一份关于太阳能的报告'] },
  },
  tools: ['Read', 'Write', 'Edit', 'Glob', 'Grep'],
  is_public: true,
};

export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** An API client signed in as `username`. */
export async function apiAs(username: string, password: string): Promise<APIRequestContext> {
  const anon = await request.newContext({ baseURL });
  const response = await anon.post('/api/v1/auth/login', {
    form: { username, password, grant_type: 'password' },
  });
  expect(response.ok(), await response.text()).toBe(true);
  const { access_token: token } = (await response.json()) as { access_token: string };
  await anon.dispose();
  return request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
}

/** Registers a fresh user through the API and returns its credentials. */
export async function registerUser(prefix = 'user'): Promise<{ username: string; password: string }> {
  const anon = await request.newContext({ baseURL });
  const username = uniqueName(prefix);
  const response = await anon.post('/api/v1/auth/register', { data: { username, password: PASSWORD } });
  expect(response.status(), await response.text()).toBe(201);
  await anon.dispose();
  return { username, password: PASSWORD };
}

/** Makes sure the report scenario exists (created by the admin once) and returns its id. */
export async function ensureReportScenario(): Promise<string> {
  const api = await apiAs(admin.username, admin.password);
  const list = await api.get('/api/v1/scenarios', { params: { search: REPORT_SCENARIO.name } });
  const found = ((await list.json()) as { items: { id: string; name: string }[] }).items.find(
    (item) => item.name === REPORT_SCENARIO.name,
  );
  let id = found?.id;
  if (!id) {
    const created = await api.post('/api/v1/scenarios', { data: REPORT_SCENARIO });
    expect(created.status(), await created.text()).toBe(201);
    id = ((await created.json()) as { id: string }).id;
  }
  await api.dispose();
  return id;
}

/** Pins the UI language (the app defaults to Chinese) before any page script runs. */
export async function useLanguage(page: Page, language: 'en-US' | 'zh-CN' = 'en-US'): Promise<void> {
  await page.addInitScript((value) => localStorage.setItem('aigc.language', value), language);
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Scenarios', level: 1 })).toBeVisible();
}
