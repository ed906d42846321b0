import { defineConfig } from '@hey-api/openapi-ts';

/**
 * Generates the typed API client in src/client from the backend's OpenAPI document.
 * The output is committed and never edited by hand: run `npm run gen:client` after the API changes.
 * OPENAPI_TS_OUTPUT lets `npm run check:client` generate into a temporary folder.
 */
export default defineConfig({
  input: './openapi.json',
  output: {
    path: process.env.OPENAPI_TS_OUTPUT ?? 'src/client',
  },
  plugins: [
    {
      name: '@hey-api/client-fetch',
      // Base URL and credentials come from our own module so the generated code stays untouched.
      runtimeConfigPath: '../lib/api-runtime-config',
    },
    '@hey-api/typescript',
    '@hey-api/sdk',
  ],
});
