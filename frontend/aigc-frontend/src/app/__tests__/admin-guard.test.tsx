import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';

describe('admin guard', () => {
  it('shows the admin page and its nav entry to an admin', async () => {
    mockApi.refreshCookieFor = 'root';
    renderApp('/admin');

    expect(await screen.findByRole('heading', { name: 'Admin' })).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Main navigation' })).toHaveTextContent('Admin');
  });

  it('refuses a signed-in user and hides the nav entry', async () => {
    mockApi.refreshCookieFor = 'alice';
    renderApp('/admin');

    expect(await screen.findByText('Admins only')).toBeInTheDocument();
    expect(screen.queryByRole('heading', { name: 'Admin' })).not.toBeInTheDocument();
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect(nav).toHaveTextContent('Scenarios');
    expect(nav).not.toHaveTextContent('Admin');
  });

  it('sends an anonymous visitor to sign-in', async () => {
    const { router } = renderApp('/admin');

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(router.state.location.state).toEqual({ from: '/admin' });
  });
});
