import { useMutation } from '@tanstack/react-query';
import { authRegister } from '@/client/sdk.gen';
import type { UserRegister } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';

/** POST /auth/register: self-service sign-up, allowed only when registration_mode is "open". */
export const registerMutationOptions = () => ({
  mutationKey: ['auth', 'register'] as const,
  mutationFn: (input: UserRegister) => unwrap(authRegister({ body: input })),
});

export function useRegister() {
  return useMutation(registerMutationOptions());
}
