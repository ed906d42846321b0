import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import i18n from '@/i18n';
import { mockApi } from '@/testing/mock-api';
import { domain, makeScenario, sse, sseEvent } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

function seed() {
  mockApi.refreshCookieFor = 'alice';
  const scenario = makeScenario({
    name: 'Report writer',
    icon: '📝',
    description: 'Writes reports',
    example_prompts: ['Write a report about tea', 'Summarise this memo'],
    translations: { 'zh-CN': { name: '报告撰写', example_prompts: ['写一份关于茶的报告'] } },
  });
  domain.scenarios = [scenario];
  server.use(
    http.get('*/api/v1/scenarios/:id', ({ params }) =>
      params.id === scenario.id ? HttpResponse.json(scenario) : new HttpResponse(null, { status: 404 }),
    ),
  );
  return scenario;
}

describe('starting a scenario', () => {
  it('opens a new chat with the scenario and its example prompts, and creates no session until a message', async () => {
    const scenario = seed();
    domain.turn = sse([sseEvent('text_delta', { text: 'On it' }), sseEvent('done', { status: 'ok' })]);
    const { user, router } = renderApp('/scenarios');
    const card = await screen.findByRole('article', { name: 'Report writer' });
    await user.click(within(card).getByRole('button', { name: 'Start' }));

    await waitFor(() => expect(router.state.location.search).toBe(`?scenario=${scenario.id}`));
    expect(router.state.location.pathname).toBe('/chat');
    expect(await screen.findByRole('heading', { name: 'Report writer', level: 1 })).toBeInTheDocument();
    expect(domain.created).toEqual([]);

    const examples = screen.getByRole('group', { name: 'Try one of these' });
    await user.click(within(examples).getByRole('button', { name: 'Summarise this memo' }));

    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/chat\/[0-9a-f-]{36}$/));
    expect(domain.created).toEqual([{ scenario_id: scenario.id, first_message: 'Summarise this memo' }]);
  });

  it('creates the session with a typed first message, in the picked scenario', async () => {
    const scenario = seed();
    domain.turn = sse([sseEvent('done', { status: 'ok' })]);
    const { user, router } = renderApp(`/chat?scenario=${scenario.id}`);
    const input = await screen.findByRole('textbox', { name: 'Message' });
    await user.type(input, 'Hello there{Enter}');

    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/chat\/[0-9a-f-]{36}$/));
    expect(domain.created).toEqual([{ scenario_id: scenario.id, first_message: 'Hello there' }]);
  });

  it('shows the example prompts in the UI language', async () => {
    const scenario = seed();
    await i18n.changeLanguage('zh-CN');
    renderApp(`/chat?scenario=${scenario.id}`);

    expect(await screen.findByRole('heading', { name: '报告撰写', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '写一份关于茶的报告' })).toBeInTheDocument();
  });
});
