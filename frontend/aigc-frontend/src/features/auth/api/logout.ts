import { useMutation } from '@tanstack/react-query';
import { authLogout } from '@/client/sdk.gen';
import { setAccessToken } from '@/lib/session-token';

/**
 * POST /auth/logout revokes the refresh token and clears the cookie. The local session ends even if the
 * call fails (offline, already expired): signing out must always work.
 */
export async function logout(): Promise<void> {
  try {
    await authLogout();
  } finally {
    setAccessToken(null);
  }
}

export function useLogout() {
  return useMutation({ mutationKey: ['auth', 'logout'], mutationFn: logout });
}
