import { useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { getAccessToken, maySignInSilently, refreshAccessToken, subscribeAccessToken } from '@/lib/session-token';
import { meQueryOptions, useMe } from '../api/get-me';
import { logout } from '../api/logout';
import { AuthContext, type AuthState } from '../hooks/use-auth';

/**
 * Owns the session. On load it restores a previous session from the httpOnly refresh cookie
 * (POST /auth/refresh) when this browser signed in before, then loads the user with GET /auth/me. Whenever the in-memory token is
 * cleared (sign-out, or a failed refresh after a 401) every cached query but platform info is dropped.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState(getAccessToken);
  // Nothing to restore when this browser never signed in or signed out since: no refresh, no 401.
  const [restored, setRestored] = useState(() => getAccessToken() !== null || !maySignInSilently());
  const [signedOut, setSignedOut] = useState(false);
  const [previousUserId, setPreviousUserId] = useState<string | null>(null);

  useEffect(
    () =>
      subscribeAccessToken((next) => {
        setToken(next);
        if (next) setSignedOut(false);
        if (!next) {
          // Nothing of the previous user may linger in the cache; platform info is public.
          queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== 'platform' });
        } else if (queryClient.getQueryState(meQueryOptions().queryKey)?.status === 'error') {
          void queryClient.resetQueries({ queryKey: meQueryOptions().queryKey });
        }
      }),
    [queryClient],
  );

  useEffect(() => {
    if (restored) return;
    let active = true;
    void refreshAccessToken().finally(() => {
      if (active) setRestored(true);
    });
    return () => {
      active = false;
    };
  }, [restored]);

  const me = useMe({ enabled: token !== null });
  const userId = token ? (me.data?.id ?? null) : null;
  // Remembered while rendering (React's "adjust state on prop change"), so it is there when the token goes.
  if (userId && userId !== previousUserId) setPreviousUserId(userId);

  const signOut = useCallback(() => {
    setSignedOut(true);
    return logout().catch(() => undefined);
  }, []);

  const value = useMemo<AuthState>(() => {
    const user = token ? (me.data ?? null) : null;
    let status: AuthState['status'] = 'anonymous';
    if (!restored || (token && me.isPending && !me.isError)) status = 'restoring';
    else if (user) status = 'authenticated';
    return { status, user, isAdmin: user?.role === 'admin', previousUserId, signedOut, signOut };
  }, [restored, token, me.data, me.isPending, me.isError, previousUserId, signedOut, signOut]);

  return <AuthContext value={value}>{children}</AuthContext>;
}
