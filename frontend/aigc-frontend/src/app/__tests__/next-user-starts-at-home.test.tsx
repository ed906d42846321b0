import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { setAccessToken } from '@/lib/session-token';
import { mockApi, testPassword } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';

type App = ReturnType<typeof renderApp>;

async function signInAs({ user }: App, username: string) {
  await user.type(await screen.findByLabelText('Username or email'), username);
  await user.type(screen.getByLabelText('Password'), testPassword);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('where sign-in leads', () => {
  it('after signing out, the next user starts at home, not on the previous user’s page', async () => {
    mockApi.refreshCookieFor = 'root';
    const app = renderApp('/history');
    await app.user.click(await screen.findByRole('button', { name: 'Account menu for root' }));
    await app.user.click(await screen.findByRole('menuitem', { name: /Sign out/ }));
    await screen.findByRole('heading', { name: 'Sign in' });

    await signInAs(app, 'alice');

    expect(await screen.findByRole('heading', { name: 'Scenarios', level: 1 })).toBeInTheDocument();
    expect(app.router.state.location.pathname).toBe('/scenarios');
  });

  it('after an expired session, the same user comes back to their page', async () => {
    mockApi.refreshCookieFor = 'alice';
    const app = renderApp('/history');
    await screen.findByRole('heading', { name: 'History' });
    mockApi.refreshCookieFor = null;
    act(() => setAccessToken(null));
    await screen.findByRole('heading', { name: 'Sign in' });

    await signInAs(app, 'alice');

    expect(await screen.findByRole('heading', { name: 'History' })).toBeInTheDocument();
    expect(app.router.state.location.pathname).toBe('/history');
  });

  it('after an expired session, another user starts at home', async () => {
    mockApi.refreshCookieFor = 'alice';
    const app = renderApp('/history');
    await screen.findByRole('heading', { name: 'History' });
    mockApi.refreshCookieFor = null;
    act(() => setAccessToken(null));
    await screen.findByRole('heading', { name: 'Sign in' });

    await signInAs(app, 'root');

    expect(await screen.findByRole('heading', { name: 'Scenarios', level: 1 })).toBeInTheDocument();
    expect(app.router.state.location.pathname).toBe('/scenarios');
  });
});
