import { StyleProvider } from '@ant-design/cssinjs';
import { QueryClient } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import userEvent, { PointerEventsCheckLevel, type Options as UserEventOptions } from '@testing-library/user-event';
import { ConfigProvider } from 'antd';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { AppProviders } from '@/app/providers/app-providers';
import { routes } from '@/app/routes';

/** Renders the whole app (providers and routes) at `path`, as a user would see it. */
export function renderApp(path = '/', options: { userEvent?: UserEventOptions } = {}) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, gcTime: Infinity }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  // No pause between keystrokes, and no pointer-events check: that check reads the computed style of every
  // ancestor on each click (slow on jsdom), and with no stylesheets injected it could only see inline styles.
  const user = userEvent.setup({ delay: null, pointerEventsCheck: PointerEventsCheckLevel.Never, ...options.userEvent });
  const view = render(
    // antd's CSS-in-JS would otherwise inject thousands of rules that jsdom parses and then matches against
    // every element on each getComputedStyle call (queries by role, user-event, antd's own measuring).
    // Rendering as on the server keeps the class names and leaves the styles out. zeroRuntime goes further:
    // antd then does not even generate each component's styles (it serialised them for nobody, ~10-15% of
    // the CPU of a render-heavy test).
    <StyleProvider mock="server">
      <ConfigProvider theme={{ zeroRuntime: true }}>
        <AppProviders queryClient={queryClient}>
          <RouterProvider router={router} />
        </AppProviders>
      </ConfigProvider>
    </StyleProvider>,
  );
  return { ...view, user, router, queryClient };
}
