import type { CreateClientConfig } from '../client/client.gen';

/**
 * Initial configuration of the generated client (wired through openapi-ts.config.ts).
 * An empty VITE_API_BASE_URL means same origin: in development Vite proxies /api to the backend,
 * in production the backend serves the built app itself.
 */
export const createClientConfig: CreateClientConfig = (config) => ({
  ...config,
  baseUrl: import.meta.env.VITE_API_BASE_URL || globalThis.location?.origin || '',
  // The refresh token travels as the httpOnly cookie `aigc_refresh` (path /api/v1/auth).
  credentials: 'include',
});
