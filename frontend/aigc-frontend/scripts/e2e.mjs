#!/usr/bin/env node
// Runs the Playwright specs against E2E_BASE_URL in Debian's Chromium; skips (exit 0) when it is unset.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const baseUrl = process.env.E2E_BASE_URL;
if (!baseUrl) {
  console.log('e2e: skipped — set E2E_BASE_URL (e.g. http://127.0.0.1:8000) to run the Playwright specs.');
  process.exit(0);
}
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`e2e: no Chromium at ${chromium}. Install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}
console.log(`e2e: ${baseUrl} with ${chromium}`);
const result = spawnSync(`${root}node_modules/.bin/playwright`, ['test', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
});
process.exit(result.status ?? 1);
