import { screen, waitFor } from '@testing-library/react';
import type { UserEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';

/** Types a whole value at once: one change (and one validation pass of the form) instead of one per key. */
async function fill(user: UserEvent, field: HTMLElement, value: string) {
  await user.click(field);
  await user.paste(value);
}

describe('registration', () => {
  it('is offered when registration is open', async () => {
    const { user } = renderApp('/sign-in');
    await user.click(await screen.findByRole('link', { name: 'Create one' }));

    expect(await screen.findByRole('heading', { name: 'Create an account' })).toBeInTheDocument();
    expect(screen.getByLabelText('Username')).toBeInTheDocument();
    expect(screen.getByLabelText('Confirm password')).toBeInTheDocument();
  });

  it('is hidden when only admins create accounts', async () => {
    mockApi.platform.registration_mode = 'admin_only';
    const { router } = renderApp('/register');

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    await waitFor(() => expect(screen.getByLabelText('Username or email')).toBeInTheDocument());
    expect(screen.queryByRole('link', { name: 'Create one' })).not.toBeInTheDocument();
  });

  it('checks the form, creates the account and offers sign-in with the new name', async () => {
    const { user, router } = renderApp('/register');
    await screen.findByRole('heading', { name: 'Create an account' });

    await fill(user, screen.getByLabelText('Username'), 'bo');
    await fill(user, screen.getByLabelText('Password'), 'short');
    await fill(user, screen.getByLabelText('Confirm password'), 'different');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('Username must be 3 to 64 characters')).toBeInTheDocument();
    // antd validates each field on its own tick: the messages do not all appear in the same render.
    expect(await screen.findByText('Password must be 8 to 128 characters')).toBeInTheDocument();
    expect(await screen.findByText('The two passwords do not match')).toBeInTheDocument();

    await user.clear(screen.getByLabelText('Username'));
    await fill(user, screen.getByLabelText('Username'), 'bob');
    await user.clear(screen.getByLabelText('Password'));
    await fill(user, screen.getByLabelText('Password'), 'long-enough-1');
    await user.clear(screen.getByLabelText('Confirm password'));
    await fill(user, screen.getByLabelText('Confirm password'), 'long-enough-1');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByText('Account created. You can sign in now.')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(screen.getByLabelText('Username or email')).toHaveValue('bob');
  });
});
