import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { authMe } from '@/client/sdk.gen';
import { getAccessToken, setAccessToken } from '@/lib/session-token';
import { mockApi } from '@/testing/mock-api';
import { server } from '@/testing/server';

describe('API client interceptors', () => {
  it('sends the in-memory token as a bearer header', async () => {
    let seen: string | null = null;
    server.use(
      http.get('*/api/v1/auth/me', ({ request }) => {
        seen = request.headers.get('Authorization');
        return HttpResponse.json({});
      }),
    );
    setAccessToken('abc');
    await authMe();
    expect(seen).toBe('Bearer abc');
  });

  it('on a 401 refreshes once and retries the request with the new token', async () => {
    mockApi.refreshCookieFor = 'alice';
    setAccessToken('expired-token');

    const { data, response } = await authMe();

    expect(response.status).toBe(200);
    expect(data?.username).toBe('alice');
    expect(mockApi.calls).toEqual(['GET /api/v1/auth/me', 'POST /api/v1/auth/refresh', 'GET /api/v1/auth/me']);
    expect(getAccessToken()).toMatch(/^access-alice-/);
  });

  it('shares one refresh between concurrent 401s', async () => {
    mockApi.refreshCookieFor = 'alice';
    setAccessToken('expired-token');

    const results = await Promise.all([authMe(), authMe(), authMe()]);

    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200]);
    expect(mockApi.calls.filter((call) => call.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('clears the session when the refresh fails', async () => {
    setAccessToken('expired-token');

    const { response } = await authMe();

    expect(response.status).toBe(401);
    expect(getAccessToken()).toBeNull();
    expect(mockApi.calls.filter((call) => call.endsWith('/auth/me'))).toHaveLength(1);
  });
});
