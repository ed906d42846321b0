#!/usr/bin/env bash
# Browser tests of the web app against the real backend and the scripted model, in Debian's Chromium:
# builds the app when needed, starts a throw-away platform (temporary database and folders, free ports),
# runs the Playwright specs, and always stops both servers. Extra arguments go to Playwright.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/e2e-env.sh
source "$ROOT/scripts/e2e-env.sh"

status=1
finish() {
  if [ "$status" != 0 ] && [ -n "${E2E_TMP:-}" ] && [ -f "$E2E_TMP/backend.log" ]; then
    echo "---- backend log (last 30 lines)" >&2
    tail -n 30 "$E2E_TMP/backend.log" >&2 || true
  fi
  e2e_stop
}
trap finish EXIT
trap 'exit 130' INT TERM

e2e_build_if_needed
e2e_start
echo "==> e2e specs"
cd "$FRONTEND"
start=$(date +%s)
if node scripts/e2e.mjs "$@"; then status=0; fi
echo "==> e2e finished in $(( $(date +%s) - start )) s"
exit "$status"
