import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  preferencesGetMyPreferences,
  preferencesResetMyPreferences,
  preferencesUpdateMyPreferences,
} from '@/client/sdk.gen';
import type { PreferencesUpdate } from '@/client/types.gen';
import { unwrap } from '@/lib/api-error';

/** GET /me/preferences: what the platform learned from my feedback. */
export const myPreferencesQueryOptions = () =>
  queryOptions({
    queryKey: ['preferences', 'me'],
    queryFn: ({ signal }) => unwrap(preferencesGetMyPreferences({ signal })),
  });

export function useMyPreferences() {
  return useQuery(myPreferencesQueryOptions());
}

/** PUT /me/preferences: edited items and/or the paused flag. */
export function useUpdateMyPreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PreferencesUpdate) => unwrap(preferencesUpdateMyPreferences({ body })),
    onSuccess: (data) => queryClient.setQueryData(myPreferencesQueryOptions().queryKey, data),
  });
}

/** DELETE /me/preferences: forget everything learned. */
export function useResetMyPreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(preferencesResetMyPreferences()),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: myPreferencesQueryOptions().queryKey }),
  });
}
