import { client } from '../client/client.gen';
import { getAccessToken, refreshAccessToken } from './session-token';

/** Endpoints whose 401 means "bad credentials", not "expired access token". */
const NO_RETRY_PATHS = ['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout'];

/** A pristine copy of each request, kept so it can be replayed once after a refresh. */
const replayable = new WeakMap<Request, Request>();
let installed = false;

function withToken(request: Request, token: string): Request {
  request.headers.set('Authorization', `Bearer ${token}`);
  return request;
}

/**
 * Installs the generated client's interceptors: the bearer header on every request, and on a 401
 * one refresh followed by one retry. When the refresh fails the token is cleared, which signs the
 * user out (the auth provider listens for that and the route guard sends them to sign-in).
 */
export function installApiInterceptors(): void {
  if (installed) return;
  installed = true;

  client.interceptors.request.use((request) => {
    const token = getAccessToken();
    if (token && !request.headers.has('Authorization')) withToken(request, token);
    if (!NO_RETRY_PATHS.some((path) => new URL(request.url).pathname === path)) {
      replayable.set(request, request.clone());
    }
    return request;
  });

  client.interceptors.response.use(async (response, request, options) => {
    const replay = replayable.get(request);
    replayable.delete(request);
    if (response.status !== 401 || !replay) return response;

    const token = await refreshAccessToken();
    if (!token) return response;
    const doFetch = options.fetch ?? globalThis.fetch;
    return doFetch(withToken(replay, token));
  });
}
