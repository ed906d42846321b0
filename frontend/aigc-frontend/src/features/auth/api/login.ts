import { useMutation } from '@tanstack/react-query';
import { authLogin } from '@/client/sdk.gen';
import type { BodyAuthLogin } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';
import { setAccessToken } from '@/lib/session-token';

export type LoginInput = Pick<BodyAuthLogin, 'username' | 'password'>;

/** POST /auth/login (OAuth2 password form). The backend also sets the httpOnly refresh cookie. */
export const loginMutationOptions = () => ({
  mutationKey: ['auth', 'login'] as const,
  mutationFn: (input: LoginInput) => unwrap(authLogin({ body: { ...input, grant_type: 'password' } })),
  onSuccess: (tokens: { access_token: string }) => setAccessToken(tokens.access_token),
});

export function useLogin() {
  return useMutation(loginMutationOptions());
}
