#!/usr/bin/env bash
# Run every test suite the repository has. Backend on SQLite, and again on PostgreSQL when
# TEST_DATABASE_URL is set; then the frontend suites when the frontend exists.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
ensure_backend_venv

status=0
"$ROOT/scripts/check-backend.sh" || status=1

run_backend() {
  local label="$1"; shift
  echo "==> backend tests ($label)"
  (cd "$ROOT/backend" && env "$@" "$VENV/bin/python" -m pytest -p no:cacheprovider) || status=1
}

run_backend "SQLite" -u TEST_DATABASE_URL
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  run_backend "PostgreSQL" TEST_DATABASE_URL="$TEST_DATABASE_URL"
fi

if [ -f "$ROOT/frontend/aigc-frontend/package.json" ] && [ -x "$ROOT/scripts/test-frontend.sh" ]; then
  echo "==> frontend tests"
  "$ROOT/scripts/test-frontend.sh" || status=1
fi

# The one-click start on a clean clone (a few minutes: fresh installs); always in CI, on request locally.
if [ "${CI:-}" = "true" ] || [ "${AIGC_TEST_START:-}" = "1" ]; then
  echo "==> one-click start on a clean clone"
  "$ROOT/scripts/test-start.sh" || status=1
fi

exit $status
