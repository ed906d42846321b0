#!/usr/bin/env node
// Enforces the one-way flow of shared code: components/lib/config/i18n -> features -> app.
// A feature never imports another feature or the app layer; shared code imports neither.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src', import.meta.url));
const SHARED = ['components', 'lib', 'config', 'i18n'];
const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'client' && dir === src ? [] : files(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** [top-level folder, feature name] of a path inside src. */
function area(path) {
  const parts = relative(src, path).split(sep);
  return [parts[0], parts[0] === 'features' ? parts[1] : null];
}

const problems = [];
for (const file of files(src)) {
  const [top, feature] = area(file);
  if (top === 'testing' || file.includes(`${sep}__tests__${sep}`)) continue;
  for (const match of readFileSync(file, 'utf8').matchAll(importRe)) {
    const spec = match[1] ?? match[2];
    let target;
    if (spec.startsWith('@/')) target = join(src, spec.slice(2));
    else if (spec.startsWith('.')) target = resolve(dirname(file), spec);
    else continue;
    const [targetTop, targetFeature] = area(target);
    const where = relative(src, file);
    if (top === 'features' && targetTop === 'features' && targetFeature !== feature) {
      problems.push(`${where}: imports another feature (${spec})`);
    } else if (top === 'features' && targetTop === 'app') {
      problems.push(`${where}: a feature imports the app layer (${spec})`);
    } else if (SHARED.includes(top) && ['features', 'app'].includes(targetTop)) {
      problems.push(`${where}: shared code imports ${targetTop}/ (${spec})`);
    }
  }
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log('Import boundaries OK.');
