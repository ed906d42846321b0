#!/usr/bin/env node
// Audits the production dependencies (`npm audit --omit=dev`) and fails on a known vulnerability of high or
// critical severity that has a fix. When the registry's audit endpoint cannot be reached it says so plainly
// and exits 0: an unreachable endpoint is not a vulnerability, but nobody should mistake it for a clean audit.
// `node scripts/audit.mjs report.json` judges a saved `npm audit --json` report instead (to check this script).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const saved = process.argv[2];
const run = saved
  ? { stdout: readFileSync(saved, 'utf8'), stderr: '' }
  : spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8' });

let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  report = null;
}
if (!report || !report.vulnerabilities || report.error) {
  const why = report?.message || report?.error?.summary || run.stderr.trim().split('\n').pop() || 'no answer';
  console.warn(`WARNING: npm audit could not reach the registry's audit endpoint (${why}).`);
  console.warn('WARNING: the production dependencies were NOT audited in this run.');
  process.exit(0);
}

const SEVERE = new Set(['high', 'critical']);
const fixable = Object.values(report.vulnerabilities).filter((v) => SEVERE.has(v.severity) && v.fixAvailable !== false);
const unfixable = Object.values(report.vulnerabilities).filter((v) => SEVERE.has(v.severity) && v.fixAvailable === false);
for (const v of unfixable) console.warn(`note: ${v.name} (${v.severity}) has no fix yet`);
if (fixable.length) {
  for (const v of fixable) {
    const fix = v.fixAvailable === true ? 'npm audit fix' : `${v.fixAvailable.name}@${v.fixAvailable.version}`;
    console.error(`${v.name} ${v.range}: ${v.severity} severity, fixed by ${fix}`);
  }
  console.error(`npm audit: ${fixable.length} high or critical vulnerabilit${fixable.length === 1 ? 'y' : 'ies'} with a fix`);
  process.exit(1);
}
const counts = report.metadata?.vulnerabilities ?? {};
console.log(`npm audit: no high or critical vulnerability with a fix (all severities: ${JSON.stringify(counts)})`);
