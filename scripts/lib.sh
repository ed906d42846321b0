# Shared helpers for the scripts in this folder (sourced, not run).
# ROOT must be set by the caller.

VENV="${AIGC_VENV:-$ROOT/backend/.venv}"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# Create the backend virtual environment and install the package with its test extras when
# missing or when pyproject.toml changed since the last install.
ensure_backend_venv() {
  local py stamp
  if [ ! -x "$VENV/bin/python" ]; then
    py="$(find_python)" || { echo "Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
    echo "==> creating virtual environment in $VENV"
    "$py" -m venv "$VENV"
  fi
  stamp="$VENV/.aigc-installed"
  if [ ! -f "$stamp" ] || [ "$ROOT/backend/pyproject.toml" -nt "$stamp" ]; then
    echo "==> installing backend dependencies"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT/backend[test]" || {
      echo "Installing the backend failed; see the pip output above" >&2; exit 1; }
    touch "$stamp"
  fi
}
