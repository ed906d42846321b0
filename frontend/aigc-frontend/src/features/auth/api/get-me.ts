import { queryOptions, useQuery } from '@tanstack/react-query';
import { authMe } from '@/client/sdk.gen';
import { unwrap } from '@/lib/api-error';

/** GET /auth/me: the signed-in user. */
export const meQueryOptions = () =>
  queryOptions({
    queryKey: ['auth', 'me'],
    queryFn: () => unwrap(authMe()),
    staleTime: 60 * 1000,
  });

export function useMe(options: { enabled?: boolean } = {}) {
  return useQuery({ ...meQueryOptions(), ...options });
}
