#!/usr/bin/env bash
# The backend's static checks: lint and format (ruff), types (mypy; strict on core, agent and sessions)
# and the layer contracts between packages (import-linter).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
cd "$ROOT/backend"

echo "==> ruff (lint)"
"$VENV/bin/ruff" check .
echo "==> ruff (format)"
"$VENV/bin/ruff" format --check . >/dev/null || {
  echo "Some files are not formatted: run 'backend/.venv/bin/ruff format backend'" >&2; exit 1; }
echo "==> mypy"
"$VENV/bin/mypy"
if [ -f .importlinter ] || grep -q '^\[tool.importlinter\]' pyproject.toml; then
  echo "==> import-linter"
  "$VENV/bin/lint-imports"
fi
