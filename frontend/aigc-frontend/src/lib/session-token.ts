import { STORAGE_KEYS } from '@/config/storage-keys';
import { authRefresh } from '../client/sdk.gen';

/**
 * The in-memory access token, shared by the API client and the auth feature.
 * It is never written to localStorage; after a reload the session is restored from the
 * httpOnly refresh cookie through POST /auth/refresh.
 */
type Listener = (token: string | null) => void;

let accessToken: string | null = null;
let pendingRefresh: Promise<string | null> | null = null;
const listeners = new Set<Listener>();

export function getAccessToken(): string | null {
  return accessToken;
}

export function setAccessToken(token: string | null): void {
  if (token === accessToken) return;
  accessToken = token;
  rememberSignIn(token !== null);
  listeners.forEach((listener) => listener(token));
}

function rememberSignIn(signedIn: boolean): void {
  try {
    if (signedIn) localStorage.setItem(STORAGE_KEYS.signedIn, '1');
    else localStorage.removeItem(STORAGE_KEYS.signedIn);
  } catch {
    // Storage disabled: every load then tries the refresh, as before.
  }
}

/**
 * Whether a refresh on load can succeed: only after a sign-in in this browser that has not ended since.
 * Without it every signed-out page load would ask POST /auth/refresh and log a 401.
 */
export function maySignInSilently(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEYS.signedIn) === '1';
  } catch {
    return true;
  }
}

/** Calls `listener` whenever the token changes (null = signed out or session expired). */
export function subscribeAccessToken(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Exchanges the refresh cookie for a new token pair. Concurrent callers share one request, so a burst
 * of 401s triggers a single refresh. Resolves to the new access token, or null when the session is gone.
 */
export function refreshAccessToken(): Promise<string | null> {
  pendingRefresh ??= authRefresh({ body: {} })
    .then(({ data }) => {
      const token = data?.access_token ?? null;
      setAccessToken(token);
      return token;
    })
    .catch(() => {
      setAccessToken(null);
      return null;
    })
    .finally(() => {
      pendingRefresh = null;
    });
  return pendingRefresh;
}
