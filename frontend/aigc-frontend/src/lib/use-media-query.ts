import { useCallback, useSyncExternalStore } from 'react';

/** Below antd's `md` breakpoint: phones in portrait (360-430 px) and small landscape ones. */
export const PHONE_QUERY = '(max-width: 767.98px)';

/** Whether a media query matches; read synchronously, so the first paint already has the right layout. */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    [query],
  );
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(query).matches,
    () => false,
  );
}

/** Whether the screen is phone-sized. */
export function useIsPhone(): boolean {
  return useMediaQuery(PHONE_QUERY);
}
