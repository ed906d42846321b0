import { screen, waitFor, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { UserPublic, UserUpdate } from '@/client/types.gen';
import { errorBody, mockApi, testUsers } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';
import { server } from '@/testing/server';

/** GET and PATCH /users over a list; returns what the page sent. */
function usersApi() {
  const users: UserPublic[] = [
    { ...testUsers.root, last_login_at: '2025-01-05T09:00:00Z' },
    { ...testUsers.alice },
    { ...testUsers.alice, id: '5c1f3b0e-7d2a-4e8b-9f6c-0a1b2c3d4e5f', username: 'bob', email: 'bob@example.com', display_name: null, is_active: false },
  ];
  const sent: { method: string; path: string; search?: string; body?: UserUpdate }[] = [];
  server.use(
    http.get('*/api/v1/users', ({ request }) => {
      const url = new URL(request.url);
      sent.push({ method: 'GET', path: url.pathname, search: url.search });
      const search = url.searchParams.get('search') ?? '';
      const items = users.filter((user) => user.username.includes(search));
      return HttpResponse.json({ items, count: items.length });
    }),
    http.patch('*/api/v1/users/:id', async ({ params, request }) => {
      const body = (await request.json()) as UserUpdate;
      sent.push({ method: 'PATCH', path: new URL(request.url).pathname, body });
      const user = users.find((u) => u.id === params.id)!;
      Object.assign(user, body);
      return HttpResponse.json(user);
    }),
  );
  return sent;
}

async function openUsers() {
  mockApi.refreshCookieFor = 'root';
  const app = renderApp('/admin?tab=users');
  await screen.findByText('bob@example.com');
  return app;
}

const rowOf = (username: string) => screen.getByText(username, { selector: 'strong' }).closest('tr')!;

describe('users admin', () => {
  it('lists the accounts and keeps me from demoting or disabling myself', async () => {
    usersApi();
    await openUsers();

    expect(rowOf('alice')).toHaveTextContent('Alice · alice@example.com');
    expect(within(rowOf('alice')).getByRole('switch', { name: 'Account of alice enabled' })).toBeChecked();
    expect(within(rowOf('bob')).getByRole('switch', { name: 'Account of bob enabled' })).not.toBeChecked();
    expect(within(rowOf('root')).getByRole('combobox', { name: 'Role of root' })).toBeDisabled();
    expect(within(rowOf('root')).getByRole('switch', { name: 'Account of root enabled' })).toBeDisabled();
    expect(within(rowOf('root')).getByRole('button', { name: 'Delete root' })).toBeDisabled();
    expect(within(rowOf('alice')).getByTitle('User')).toBeInTheDocument();
  });

  it('makes a user an administrator and enables a disabled account', async () => {
    const sent = usersApi();
    const { user } = await openUsers();

    await user.click(within(rowOf('alice')).getByRole('combobox', { name: 'Role of alice' }));
    // The open list is the last thing in the page; root's select above also shows "Administrator".
    await user.click((await screen.findAllByTitle('Administrator')).at(-1)!);
    await waitFor(() => expect(within(rowOf('alice')).getByTitle('Administrator')).toBeInTheDocument());

    const enabled = within(rowOf('bob')).getByRole('switch', { name: 'Account of bob enabled' });
    await user.click(enabled);
    await waitFor(() => expect(within(rowOf('bob')).getByRole('switch', { name: 'Account of bob enabled' })).toBeChecked());

    expect(sent.filter((request) => request.method === 'PATCH')).toEqual([
      { method: 'PATCH', path: `/api/v1/users/${testUsers.alice.id}`, body: { role: 'admin' } },
      { method: 'PATCH', path: '/api/v1/users/5c1f3b0e-7d2a-4e8b-9f6c-0a1b2c3d4e5f', body: { is_active: true } },
    ]);
  });

  it('shows why a change was refused', async () => {
    usersApi();
    server.use(
      http.patch('*/api/v1/users/:id', () =>
        HttpResponse.json(errorBody('last_admin', 'The last active administrator cannot be disabled'), { status: 409 }),
      ),
    );
    const { user } = await openUsers();

    await user.click(within(rowOf('alice')).getByRole('switch', { name: 'Account of alice enabled' }));
    expect(await screen.findByText('The last active administrator cannot be disabled')).toBeInTheDocument();
    expect(within(rowOf('alice')).getByRole('switch', { name: 'Account of alice enabled' })).toBeChecked();
  });

  it('searches by name', async () => {
    const sent = usersApi();
    const { user } = await openUsers();

    await user.click(screen.getByRole('searchbox', { name: 'Search users' }));
    await user.paste('bo');
    await waitFor(() => expect(screen.queryByText('alice@example.com')).not.toBeInTheDocument());
    expect(rowOf('bob')).toBeInTheDocument();
    expect(sent.at(-1)).toEqual({ method: 'GET', path: '/api/v1/users', search: '?search=bo&offset=0&limit=20' });
  });
});
