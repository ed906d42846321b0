import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORAGE_KEYS } from '@/config/storage-keys';
import { mockApi, testPassword } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';

describe('a signed-out page load', () => {
  it('does not ask for a refresh (and so logs no 401) when this browser holds no sign-in', async () => {
    renderApp('/sign-in');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(mockApi.calls).not.toContain('POST /api/v1/auth/refresh');
  });

  it('remembers a sign-in so the next load restores it, and forgets it on sign-out', async () => {
    const { user } = renderApp('/sign-in');
    await user.type(await screen.findByLabelText('Username or email'), 'alice');
    await user.type(screen.getByLabelText('Password'), testPassword);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByRole('heading', { name: 'Scenarios', level: 1 });
    expect(localStorage.getItem(STORAGE_KEYS.signedIn)).toBe('1');

    await user.click(screen.getByRole('button', { name: 'Account menu for Alice' }));
    await user.click(await screen.findByRole('menuitem', { name: /Sign out/ }));
    await screen.findByRole('heading', { name: 'Sign in' });
    expect(localStorage.getItem(STORAGE_KEYS.signedIn)).toBeNull();
  });
});
