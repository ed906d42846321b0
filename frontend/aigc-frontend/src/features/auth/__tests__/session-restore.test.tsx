import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { getAccessToken } from '@/lib/session-token';
import { mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';

describe('session restore on load', () => {
  it('restores the session from the refresh cookie and stays on the page', async () => {
    mockApi.refreshCookieFor = 'alice';
    const { router } = renderApp('/history');

    expect(await screen.findByRole('heading', { name: 'History' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/history');
    expect(mockApi.calls.slice(0, 3)).toEqual(
      expect.arrayContaining(['POST /api/v1/auth/refresh', 'GET /api/v1/auth/me']),
    );
    expect(getAccessToken()).toMatch(/^access-alice-/);
  });

  it('keeps the access token out of localStorage', async () => {
    mockApi.refreshCookieFor = 'alice';
    renderApp('/scenarios');
    await screen.findByRole('heading', { name: 'Scenarios' });

    const token = getAccessToken()!;
    const stored = Object.keys(localStorage).map((key) => localStorage.getItem(key) ?? '');
    expect(stored.some((value) => value.includes(token))).toBe(false);
  });

  it('sends an anonymous visitor to sign-in', async () => {
    const { router } = renderApp('/history');

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
  });

  it('signs out: revokes the session and returns to sign-in', async () => {
    mockApi.refreshCookieFor = 'alice';
    const { user, router } = renderApp('/scenarios');
    await user.click(await screen.findByRole('button', { name: 'Account menu for Alice' }));
    await user.click(await screen.findByRole('menuitem', { name: /Sign out/ }));

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(mockApi.calls).toContain('POST /api/v1/auth/logout');
    expect(mockApi.refreshCookieFor).toBeNull();
    await waitFor(() => expect(getAccessToken()).toBeNull());
  });
});
