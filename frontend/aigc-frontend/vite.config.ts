/// <reference types="vitest/config" />
import { availableParallelism } from 'node:os';
import { fileURLToPath, URL } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, loadEnv } from 'vite';

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '');
  const apiTarget = env.VITE_API_PROXY_TARGET || 'http://127.0.0.1:8000';
  const proxy = { '/api': { target: apiTarget, changeOrigin: false } };

  return {
    plugins: [react()],
    resolve: {
      alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy },
    preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy },
    build: { outDir: 'dist', sourcemap: true },
    test: {
      globals: true,
      environment: 'jsdom',
      setupFiles: ['./src/testing/setup-node.ts', './src/testing/setup.ts'],
      include: ['src/**/*.test.{ts,tsx}'],
      css: false,
      testTimeout: 20000,
      // antd, Ant Design X and their CommonJS dependencies take seconds to load; load them once per worker,
      // not once per test file. src/testing/setup.ts resets the state a test can leave behind.
      isolate: false,
      // Vitest keeps a core for itself by default, which is one worker on a 2-core machine; the main process
      // only hands out files and collects results.
      maxWorkers: availableParallelism(),
    },
  };
});
