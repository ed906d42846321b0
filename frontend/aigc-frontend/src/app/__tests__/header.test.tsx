import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { STORAGE_KEYS } from '@/config/storage-keys';
import i18n, { readStoredLanguage } from '@/i18n';
import { mockApi } from '@/testing/mock-api';
import { renderApp } from '@/testing/render-app';

describe('language switch', () => {
  it('defaults to Chinese when nothing is saved', () => {
    expect(readStoredLanguage()).toBe('zh-CN');
  });

  it('switches the UI to Chinese and remembers the choice', async () => {
    const { user } = renderApp('/sign-in');
    await screen.findByRole('heading', { name: 'Sign in' });

    await user.click(screen.getByRole('combobox', { name: 'Language' }));
    await user.click(await screen.findByTitle('简体中文'));

    expect(await screen.findByRole('heading', { name: '登录' })).toBeInTheDocument();
    expect(screen.getByLabelText('用户名或邮箱')).toBeInTheDocument();
    expect(localStorage.getItem(STORAGE_KEYS.language)).toBe('zh-CN');
    expect(i18n.language).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
  });
});

describe('header', () => {
  it('switches to the dark theme and remembers it', async () => {
    mockApi.refreshCookieFor = 'alice';
    const { user } = renderApp('/scenarios');
    const toggle = await screen.findByRole('switch', { name: 'Dark mode' });

    await user.click(toggle);

    expect(toggle).toBeChecked();
    expect(localStorage.getItem(STORAGE_KEYS.theme)).toBe('dark');
    expect(document.querySelector('.aigc-theme-dark')).not.toBeNull();
  });

  it('shows the demo-model badge only when the platform runs the demo model', async () => {
    mockApi.refreshCookieFor = 'alice';
    mockApi.platform.demo_model = true;
    renderApp('/scenarios');
    const banner = await screen.findByRole('banner');

    expect(await within(banner).findByText('Demo model')).toBeInTheDocument();
  });

  it('has no demo-model badge for a real model', async () => {
    mockApi.refreshCookieFor = 'alice';
    renderApp('/scenarios');
    await screen.findByRole('heading', { name: 'Scenarios' });

    expect(screen.queryByText('Demo model')).not.toBeInTheDocument();
  });
});
