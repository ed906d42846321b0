import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import i18n from '@/i18n';
import { installApiInterceptors } from '@/lib/api-client';
import { setAccessToken } from '@/lib/session-token';
import { resetMockApi } from './mock-api';
import { resetTurns } from '@/features/chat/turn/turn-store';
import { resetDomain } from './mock-domain';
import { server } from './server';

// jsdom lacks these browser APIs that antd relies on.
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
}
if (!globalThis.ResizeObserver) {
  globalThis.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}
// Ant Design X's Bubble.List watches its scroll box.
if (!globalThis.IntersectionObserver) {
  globalThis.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
}
if (!Element.prototype.scrollTo) Element.prototype.scrollTo = () => undefined;
// Ant Design X checks for the Notification API when it loads.
if (!('Notification' in window)) {
  const notificationStub = { permission: 'default', requestPermission: () => Promise.resolve('default') };
  Object.assign(window, { Notification: notificationStub });
}
// antd measures scrollbars through getComputedStyle(el, '::pseudo'), which jsdom does not implement.
const getComputedStyle = window.getComputedStyle.bind(window);
window.getComputedStyle = (element: Element) => getComputedStyle(element);
// jsdom parses its default stylesheet on the first getComputedStyle call of a worker (~0.5 s of CPU); do it
// here rather than inside whichever test happens to run first.
getComputedStyle(document.body);

// Lazy route chunks compile on first use; on a 2-core CI machine that can exceed the 1 s default.
configure({ asyncUtilTimeout: 5000 });

installApiInterceptors();

// Load every lazy route before the tests: a worker keeps its modules across test files (isolate: false), so
// this costs once per worker instead of landing inside the first test that happens to open each page.
// At the top level, not in beforeAll: on a busy machine this import can take longer than a hook may.
const routeModules = import.meta.glob('../app/routes/*.tsx');
await Promise.all(Object.values(routeModules).map((load) => load()));

beforeAll(() => {
  server.listen({ onUnhandledRequest: 'error' });
});
beforeEach(async () => {
  localStorage.clear();
  resetMockApi();
  resetDomain();
  // Tests read English by default; the language-switch test covers Chinese.
  await i18n.changeLanguage('en-US');
});
afterEach(() => {
  cleanup();
  resetTurns();
  server.resetHandlers();
  setAccessToken(null);
});
afterAll(() => server.close());
