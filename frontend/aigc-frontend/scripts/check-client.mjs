#!/usr/bin/env node
// Regenerates the API client into a temporary folder and fails if it differs from the committed src/client.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const committed = join(root, 'src/client');
const fresh = mkdtempSync(join(tmpdir(), 'aigc-client-'));

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

try {
  execFileSync(join(root, 'node_modules/.bin/openapi-ts'), [], {
    cwd: root,
    env: { ...process.env, OPENAPI_TS_OUTPUT: fresh },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const a = new Set(listFiles(committed).map((p) => relative(committed, p)));
  const b = new Set(listFiles(fresh).map((p) => relative(fresh, p)));
  const problems = [];
  for (const file of new Set([...a, ...b])) {
    if (!a.has(file)) problems.push(`missing from src/client: ${file}`);
    else if (!b.has(file)) problems.push(`stale file in src/client: ${file}`);
    else if (readFileSync(join(committed, file), 'utf8') !== readFileSync(join(fresh, file), 'utf8')) {
      problems.push(`differs: src/client/${file}`);
    }
  }
  if (problems.length) {
    console.error('The committed client does not match openapi.json:');
    for (const problem of problems.sort()) console.error(`  ${problem}`);
    console.error('Run `npm run gen:client` and commit the result.');
    process.exit(1);
  }
  console.log(`src/client matches openapi.json (${a.size} files).`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
