import { QueryClient } from '@tanstack/react-query';
import { ApiRequestError } from './api-error';

/** Client errors (4xx) are answers, not glitches: retry only network errors and 5xx, and only once. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiRequestError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 1;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}
