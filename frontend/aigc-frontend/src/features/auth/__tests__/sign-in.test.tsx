import { screen, waitFor } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { errorBody, mockApi, testPassword } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

async function openSignIn() {
  const app = renderApp('/sign-in');
  await screen.findByRole('heading', { name: 'Sign in' });
  return app;
}

describe('sign-in form', () => {
  it('labels its fields', async () => {
    await openSignIn();
    expect(screen.getByLabelText('Username or email')).toHaveAttribute('autocomplete', 'username');
    expect(screen.getByLabelText('Password')).toHaveAttribute('autocomplete', 'current-password');
  });

  it('asks for username and password before calling the server', async () => {
    const { user } = await openSignIn();
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByText('Please enter your username')).toBeInTheDocument();
    expect(screen.getByText('Please enter your password')).toBeInTheDocument();
    expect(mockApi.calls).not.toContain('POST /api/v1/auth/login');
  });

  it('shows wrong credentials in the UI language', async () => {
    const { user } = await openSignIn();
    await user.type(screen.getByLabelText('Username or email'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'wrong-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect username or password');
  });

  it("shows the server's message for an error it has no wording for", async () => {
    server.use(
      http.post('*/api/v1/auth/login', () =>
        HttpResponse.json(errorBody('sign_in_paused', 'Sign-in is paused for maintenance'), { status: 503 }),
      ),
    );
    const { user } = await openSignIn();
    await user.type(screen.getByLabelText('Username or email'), 'alice');
    await user.type(screen.getByLabelText('Password'), testPassword);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Sign-in is paused for maintenance');
  });

  it('tells a disabled account to ask an administrator, in the UI language', async () => {
    server.use(
      http.post('*/api/v1/auth/login', () =>
        HttpResponse.json(errorBody('account_disabled', 'server wording'), { status: 403 }),
      ),
    );
    const { user } = await openSignIn();
    await user.type(screen.getByLabelText('Username or email'), 'alice');
    await user.type(screen.getByLabelText('Password'), testPassword);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'This account has been disabled. Ask an administrator to enable it again.',
    );
  });

  it('tells how long to wait when rate limited', async () => {
    server.use(
      http.post('*/api/v1/auth/login', () =>
        HttpResponse.json(errorBody('too_many_attempts', 'Too many attempts'), {
          status: 429,
          headers: { 'Retry-After': '30' },
        }),
      ),
    );
    const { user } = await openSignIn();
    await user.type(screen.getByLabelText('Username or email'), 'alice');
    await user.type(screen.getByLabelText('Password'), testPassword);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Try again in 30 seconds');
  });

  it('signs in and goes to the scenarios page', async () => {
    const { user, router } = await openSignIn();
    await user.type(screen.getByLabelText('Username or email'), 'alice');
    await user.type(screen.getByLabelText('Password'), testPassword);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Scenarios' })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/scenarios');
    expect(screen.getByRole('button', { name: 'Account menu for Alice' })).toBeInTheDocument();
  });

  it('returns to the page that required sign-in', async () => {
    const { user, router } = renderApp('/skills');
    await screen.findByRole('heading', { name: 'Sign in' });
    await user.type(screen.getByLabelText('Username or email'), 'alice');
    await user.type(screen.getByLabelText('Password'), testPassword);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(router.state.location.pathname).toBe('/skills'));
    expect(await screen.findByRole('heading', { name: 'Skills' })).toBeInTheDocument();
  });
});
