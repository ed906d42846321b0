import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { usersCreateUser, usersDeleteUser, usersListUsers, usersUpdateUser } from '@/client/sdk.gen';
import type { UserCreate, UserUpdate } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';

const usersKey = ['admin', 'users'] as const;

/** GET /users (admins): search by name or email, paged. */
export const usersQueryOptions = (search: string, page: number, pageSize: number) =>
  queryOptions({
    queryKey: [...usersKey, { search, page, pageSize }],
    queryFn: ({ signal }) =>
      unwrap(usersListUsers({ query: { search: search || undefined, offset: (page - 1) * pageSize, limit: pageSize }, signal })),
    placeholderData: keepPreviousData,
  });

export function useUsers(search: string, page: number, pageSize: number) {
  return useQuery(usersQueryOptions(search, page, pageSize));
}

function useInvalidateUsers() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: usersKey });
}

export function useCreateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({ mutationFn: (body: UserCreate) => unwrap(usersCreateUser({ body })), onSuccess: invalidate });
}

export function useUpdateUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UserUpdate }) => unwrap(usersUpdateUser({ path: { user_id: id }, body })),
    onSuccess: invalidate,
  });
}

export function useDeleteUser() {
  const invalidate = useInvalidateUsers();
  return useMutation({
    mutationFn: (id: string) => unwrap(usersDeleteUser({ path: { user_id: id } })),
    onSuccess: invalidate,
  });
}
