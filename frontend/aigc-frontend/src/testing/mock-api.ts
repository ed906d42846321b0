import { delay, http, HttpResponse } from 'msw';
import type { PlatformInfo, TokenPair, UserPublic } from '@/client/types.gen';
import { STORAGE_KEYS } from '@/config/storage-keys';

/**
 * An in-memory stand-in for the backend's auth API, for MSW. Tests adjust `mockApi` (registration
 * mode, who the refresh cookie belongs to, ...) and override single handlers with server.use().
 */
const API = '*/api/v1';

export const testUsers = {
  alice: {
    id: '0b4f3c3e-5a6e-4f5b-9d8a-1f2e3d4c5b6a',
    username: 'alice',
    email: 'alice@example.com',
    display_name: 'Alice',
    role: 'user',
    is_active: true,
    created_at: '2025-01-01T00:00:00Z',
  },
  root: {
    id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
    username: 'root',
    email: null,
    display_name: null,
    role: 'admin',
    is_active: true,
    created_at: '2025-01-01T00:00:00Z',
  },
} satisfies Record<string, UserPublic>;

const PASSWORD = 'correct-horse';

interface MockApiState {
  platform: PlatformInfo;
  /** The user whose refresh cookie the browser holds, or null for no cookie. */
  refreshCookieFor: keyof typeof testUsers | null;
  /** access token -> user */
  tokens: Map<string, keyof typeof testUsers>;
  counter: number;
  calls: string[];
}

let cookieOwner: MockApiState['refreshCookieFor'] = null;

export const mockApi: MockApiState = {
  platform: freshPlatform(),
  get refreshCookieFor() {
    return cookieOwner;
  },
  // A browser that holds the refresh cookie also holds the app's sign-in mark (both are set at sign-in).
  set refreshCookieFor(who) {
    cookieOwner = who;
    if (who) localStorage.setItem(STORAGE_KEYS.signedIn, '1');
  },
  tokens: new Map(),
  counter: 0,
  calls: [],
};

function freshPlatform(): PlatformInfo {
  return {
    name: 'AIGC Test Platform',
    version: '0.1.0',
    registration_mode: 'open',
    demo_model: false,
    default_model: 'claude-test',
  };
}

export function resetMockApi(): void {
  mockApi.platform = freshPlatform();
  mockApi.refreshCookieFor = null;
  mockApi.tokens.clear();
  mockApi.counter = 0;
  mockApi.calls = [];
}

export const errorBody = (code: string, message: string) => ({ code, message, details: null, request_id: 'req-test' });

/** Issues a token pair for `who`, as the backend does on login and refresh. */
export function issueTokens(who: keyof typeof testUsers): TokenPair {
  mockApi.counter += 1;
  const access = `access-${who}-${mockApi.counter}`;
  mockApi.tokens.set(access, who);
  mockApi.refreshCookieFor = who;
  return { access_token: access, refresh_token: `refresh-${who}-${mockApi.counter}`, token_type: 'bearer', expires_in: 900 };
}

function currentUser(request: Request): UserPublic | null {
  const token = request.headers.get('Authorization')?.replace(/^Bearer /, '');
  const who = token ? mockApi.tokens.get(token) : undefined;
  return who ? testUsers[who] : null;
}

const unauthorized = () => HttpResponse.json(errorBody('not_authenticated', 'Not authenticated'), { status: 401 });

export const handlers = [
  http.all(`${API}/*`, ({ request }) => {
    mockApi.calls.push(`${request.method} ${new URL(request.url).pathname}`);
  }),
  http.get(`${API}/platform/info`, () => HttpResponse.json(mockApi.platform)),
  http.post(`${API}/auth/login`, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    const username = form.get('username') as keyof typeof testUsers;
    await delay(20);
    if (!(username in testUsers) || form.get('password') !== PASSWORD) {
      return HttpResponse.json(errorBody('invalid_credentials', 'Incorrect username or password'), { status: 401 });
    }
    return HttpResponse.json(issueTokens(username));
  }),
  http.post(`${API}/auth/refresh`, () => {
    if (!mockApi.refreshCookieFor) {
      return HttpResponse.json(errorBody('invalid_refresh_token', 'Refresh token missing'), { status: 401 });
    }
    return HttpResponse.json(issueTokens(mockApi.refreshCookieFor));
  }),
  http.post(`${API}/auth/logout`, () => {
    mockApi.refreshCookieFor = null;
    return new HttpResponse(null, { status: 204 });
  }),
  http.get(`${API}/auth/me`, ({ request }) => {
    const user = currentUser(request);
    return user ? HttpResponse.json(user) : unauthorized();
  }),
  http.post(`${API}/auth/register`, async ({ request }) => {
    if (mockApi.platform.registration_mode !== 'open') {
      return HttpResponse.json(errorBody('registration_closed', 'Registration is closed'), { status: 403 });
    }
    const body = (await request.json()) as { username: string; email?: string | null; display_name?: string | null };
    if (body.username in testUsers) {
      return HttpResponse.json(errorBody('username_taken', 'That username is already taken'), { status: 409 });
    }
    const user: UserPublic = {
      ...testUsers.alice,
      id: '11111111-2222-4333-8444-555555555555',
      username: body.username,
      email: body.email ?? null,
      display_name: body.display_name ?? null,
    };
    return HttpResponse.json(user, { status: 201 });
  }),
];

export { PASSWORD as testPassword };
