import { client } from '../client/client.gen';
import { ApiRequestError } from './api-error';
import { getAccessToken, refreshAccessToken } from './session-token';

/** The API origin the generated client uses, so hand-written requests go to the same place. */
export function apiUrl(path: string): string {
  const base = client.getConfig().baseUrl ?? '';
  return `${base}${path}`;
}

function withAuth(init: RequestInit, token: string | null): RequestInit {
  const headers = new Headers(init.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return { ...init, headers, credentials: 'include' };
}

/**
 * fetch() with the bearer token, for what the generated client does not cover (streams and file
 * downloads). A 401 triggers one refresh and one retry, like the client's interceptor.
 */
export async function authedFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const url = apiUrl(path);
  const response = await fetch(url, withAuth(init, getAccessToken()));
  if (response.status !== 401) return response;
  const token = await refreshAccessToken();
  if (!token) return response;
  return fetch(url, withAuth(init, token));
}

/** Throws an ApiRequestError with the platform's error body when the response is not ok. */
export async function ensureOk(response: Response): Promise<Response> {
  if (response.ok) return response;
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's HTML page): the status alone describes it.
  }
  throw new ApiRequestError(response.status, body, response);
}
