#!/usr/bin/env bash
# The web app's checks: the committed OpenAPI document and generated client match the backend, an audit of
# the production dependencies, types and ESLint (hooks, import boundaries, cycles), unit tests, a production
# build, then the end-to-end suite against the real backend.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRONTEND="$ROOT/frontend/aigc-frontend"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
cd "$FRONTEND"

command -v npm >/dev/null 2>&1 || { echo "npm is required for the frontend tests" >&2; exit 1; }
stamp="node_modules/.aigc-installed"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  touch "$stamp"
fi

echo "==> OpenAPI document matches the backend"
current="$(mktemp)"
trap 'rm -f "$current"' EXIT
DEBUG=true "$VENV/bin/aigc" openapi --out "$current" >/dev/null
if ! diff -q "$current" openapi.json >/dev/null; then
  echo "openapi.json is out of date: run 'backend/.venv/bin/aigc openapi --out frontend/aigc-frontend/openapi.json && npm run gen:client'" >&2
  exit 1
fi
npm run --silent check:client
echo "==> npm audit (production dependencies: fails on a high or critical vulnerability with a fix)"
npm run --silent audit
echo "==> lint (tsc, ESLint)"
npm run --silent lint
echo "==> unit tests"
npm test --silent
echo "==> build"
npm run --silent build >/dev/null
if [ -x "$ROOT/scripts/test-e2e.sh" ]; then
  "$ROOT/scripts/test-e2e.sh"
fi
