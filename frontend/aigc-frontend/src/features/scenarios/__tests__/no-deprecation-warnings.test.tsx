import { screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { domain, makeScenario } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';

/** antd reports deprecated props and components through console.error/warn in development. */
const deprecations = (spy: ReturnType<typeof vi.spyOn>) =>
  spy.mock.calls.map((args: unknown[]) => args.map(String).join(' ')).filter((text: string) => /deprecated/i.test(text));

describe('the scenario gallery and the matcher', () => {
  let errors: ReturnType<typeof vi.spyOn>;
  let warnings: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    errors = vi.spyOn(console, 'error');
    warnings = vi.spyOn(console, 'warn');
  });
  afterEach(() => {
    errors.mockRestore();
    warnings.mockRestore();
  });

  it('use no deprecated antd API (Tag bordered, List)', async () => {
    mockApi.refreshCookieFor = 'alice';
    domain.scenarios = [makeScenario({ name: 'Report writer', category: 'writing', tags: ['report'] })];
    const { user } = renderApp('/scenarios');
    await screen.findByRole('article', { name: 'Report writer' });
    await user.click(screen.getByRole('textbox', { name: 'Your first message' }));
    await user.paste('a tea report');
    await user.keyboard('{Enter}');
    await screen.findByRole('button', { name: 'Start with Report writer' });

    expect([...deprecations(errors), ...deprecations(warnings)]).toEqual([]);
  });
});
