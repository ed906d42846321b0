import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { ScenarioCreate, ScenarioUpdate } from '@/client/types.gen';
import { errorBody, mockApi } from '@/testing/mock-api';
import { domain, makeScenario } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

/** The admin's scenario writes, over domain.scenarios; returns what the page sent. */
function scenariosApi() {
  const sent: { method: string; path: string; body?: ScenarioCreate | ScenarioUpdate }[] = [];
  server.use(
    http.post('*/api/v1/scenarios/:id/default', ({ params, request }) => {
      sent.push({ method: 'POST', path: new URL(request.url).pathname });
      domain.scenarios.forEach((scenario) => {
        scenario.is_default = scenario.id === params.id;
      });
      return HttpResponse.json(domain.scenarios.find((scenario) => scenario.id === params.id));
    }),
    http.post('*/api/v1/scenarios', async ({ request }) => {
      const body = (await request.json()) as ScenarioCreate;
      sent.push({ method: 'POST', path: new URL(request.url).pathname, body });
      return HttpResponse.json(errorBody('slug_taken', "The slug 'report' is already used by another scenario"), { status: 409 });
    }),
    http.patch('*/api/v1/scenarios/:id', async ({ params, request }) => {
      const body = (await request.json()) as ScenarioUpdate;
      sent.push({ method: 'PATCH', path: new URL(request.url).pathname, body });
      const scenario = domain.scenarios.find((s) => s.id === params.id)!;
      Object.assign(scenario, body);
      return HttpResponse.json(scenario);
    }),
  );
  return sent;
}

async function openScenarios() {
  mockApi.refreshCookieFor = 'root';
  domain.scenarios = [
    makeScenario({ name: 'General assistant', slug: 'general', is_default: true }),
    makeScenario({ name: 'Data helper', slug: 'data', category: 'data', is_builtin: false, is_public: false, tools: ['Read'] }),
  ];
  const app = renderApp('/admin?tab=scenarios');
  await screen.findByText('Data helper');
  return app;
}

const rowOf = (name: string) => screen.getByText(name, { selector: 'strong' }).closest('tr')!;

describe('scenarios admin', () => {
  it('makes another scenario the default', async () => {
    const sent = scenariosApi();
    const { user } = await openScenarios();
    expect(within(rowOf('General assistant')).getByText('Default')).toBeInTheDocument();
    expect(within(rowOf('General assistant')).getByRole('button', { name: 'Make General assistant the default' })).toBeDisabled();
    expect(within(rowOf('Data helper')).getByText('Private')).toBeInTheDocument();

    await user.click(within(rowOf('Data helper')).getByRole('button', { name: 'Make Data helper the default' }));

    expect(await screen.findByText('Data helper is now the default scenario')).toBeInTheDocument();
    await waitFor(() => expect(within(rowOf('Data helper')).getByText('Default')).toBeInTheDocument());
    expect(within(rowOf('General assistant')).queryByText('Default')).not.toBeInTheDocument();
    expect(sent).toEqual([{ method: 'POST', path: `/api/v1/scenarios/${domain.scenarios[1].id}/default` }]);
  });

  it('sends a new scenario and shows why it was refused', async () => {
    const sent = scenariosApi();
    const { user } = await openScenarios();

    await user.click(screen.getByRole('button', { name: 'New scenario' }));
    // rc-util gives every useId 'test-id' under NODE_ENV=test, so the drawer's aria-labelledby is no use here.
    const drawer = await screen.findByRole('dialog');
    expect(drawer).toHaveTextContent('New scenario');
    await user.click(within(drawer).getAllByLabelText('Name')[0]);
    await user.paste('Report writer');
    await user.click(within(drawer).getByLabelText(/^Slug/));
    await user.paste('report');
    await user.click(within(drawer).getByRole('button', { name: 'Save' }));

    expect(await within(drawer).findByText("The slug 'report' is already used by another scenario")).toBeInTheDocument();
    expect(sent).toEqual([
      {
        method: 'POST',
        path: '/api/v1/scenarios',
        body: {
          name: 'Report writer',
          slug: 'report',
          description: '',
          category: 'general',
          icon: '🤖',
          tags: [],
          example_prompts: [],
          translations: {},
          system_prompt: '',
          model: null,
          allowed_models: [],
          tools: ['Read', 'Write', 'Edit', 'Glob', 'Grep'],
          skill_ids: [],
          max_turns: 20,
          max_budget_usd: null,
          is_public: true,
          is_enabled: true,
        },
      },
    ]);
  });

  it('edits a scenario without touching its slug', async () => {
    const sent = scenariosApi();
    const { user } = await openScenarios();

    await user.click(within(rowOf('Data helper')).getByRole('button', { name: 'Edit Data helper' }));
    const drawer = await screen.findByRole('dialog');
    expect(drawer).toHaveTextContent('Edit Data helper');
    expect(within(drawer).queryByLabelText(/^Slug/)).not.toBeInTheDocument();
    const examples = within(drawer).getAllByLabelText(/^Example prompts/)[0];
    await user.clear(examples);
    await user.paste('Clean this CSV\n\nMerge two sheets\n');
    await user.click(within(drawer).getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0].method).toBe('PATCH');
    expect(sent[0].path).toBe(`/api/v1/scenarios/${domain.scenarios[1].id}`);
    expect(sent[0].body).toMatchObject({ name: 'Data helper', category: 'data', tools: ['Read'], example_prompts: ['Clean this CSV', 'Merge two sheets'], is_public: false });
    expect(sent[0].body).not.toHaveProperty('slug');
    await waitFor(() => expect(drawer).not.toBeInTheDocument());
  });
});
