import { queryOptions, useQuery } from '@tanstack/react-query';
import { platformInfo } from '../../client/sdk.gen';
import { unwrap } from '../api-error';

/** GET /platform/info: name, version, registration mode and whether the demo model is active. */
export const platformInfoQueryOptions = () =>
  queryOptions({
    queryKey: ['platform', 'info'],
    queryFn: () => unwrap(platformInfo()),
    staleTime: 5 * 60 * 1000,
  });

export function usePlatformInfo() {
  return useQuery(platformInfoQueryOptions());
}
