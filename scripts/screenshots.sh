#!/usr/bin/env bash
# Screenshots of the main pages in Chinese and English (and dark mode) into docs/screenshots/, taken
# from a throw-away platform with the scripted model (same start-up as scripts/test-e2e.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/e2e-env.sh
source "$ROOT/scripts/e2e-env.sh"
trap e2e_stop EXIT
trap 'exit 130' INT TERM

e2e_build_if_needed
e2e_start
export SCREENSHOTS_DIR="${SCREENSHOTS_DIR:-$ROOT/docs/screenshots}"
cd "$FRONTEND"
node scripts/screenshots.mjs
echo "==> screenshots in $SCREENSHOTS_DIR"
