import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { mockApi } from '@/testing/mock-api';
import { domain, makeSession } from '@/testing/mock-domain';
import { renderApp } from '@/testing/render-app';

describe('history', () => {
  it('renames and deletes conversations', async () => {
    mockApi.refreshCookieFor = 'alice';
    domain.sessions = [makeSession({ title: 'Tea report' }), makeSession({ title: 'Sales table' })];
    const { user } = renderApp('/history');

    const list = await screen.findByRole('list', { name: 'History' });
    expect(within(list).getByRole('link', { name: 'Tea report' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Rename Tea report' }));
    const input = await screen.findByLabelText('New title');
    await user.clear(input);
    await user.paste('Green tea report');
    await user.keyboard('{Enter}');
    expect(await within(list).findByRole('link', { name: 'Green tea report' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Delete Sales table' }));
    await user.click(await screen.findByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(within(list).queryByText('Sales table')).not.toBeInTheDocument());
    expect(domain.sessions.map((s) => s.title)).toEqual(['Green tea report']);
  });

  it('renders only the visible rows of a long history', async () => {
    mockApi.refreshCookieFor = 'alice';
    domain.sessions = Array.from({ length: 3000 }, (_, i) => makeSession({ title: `Conversation ${i}` }));
    renderApp('/history');
    expect(await screen.findByText('3000 conversations')).toBeInTheDocument();
    const rows = within(screen.getByRole('list', { name: 'History' })).getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(60);
  });
});
