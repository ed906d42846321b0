# Shared helpers for the scripts in this folder (sourced, not run).
# ROOT must be set by the caller.

VENV="${AIGC_VENV:-$ROOT/backend/.venv}"
# The uv that wrote backend/uv.lock; an older uv may not read the lock, so one is installed beside it.
UV_VERSION="0.13.9"
# uv brings its own certificate list; the system's store also holds a company proxy's CA (pip reads it
# through /etc/pip.conf, uv does not read pip's configuration).
export UV_SYSTEM_CERTS="${UV_SYSTEM_CERTS:-1}"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

version_at_least() { # have want
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# Sets UV to a uv at least UV_VERSION: the one on PATH, or one installed with pip into a per-user folder
# (AIGC_TOOLS_DIR, default ~/.cache/aigc), so a machine without uv needs only Python 3.11+ with pip or venv.
ensure_uv() {
  local found version boot py
  found="$(command -v uv 2>/dev/null || true)"
  if [ -n "$found" ]; then
    version="$("$found" --version 2>/dev/null | awk '{print $2}')"
    if [ -n "$version" ] && version_at_least "$version" "$UV_VERSION"; then
      UV="$found"
      return 0
    fi
  fi
  boot="${AIGC_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/aigc}/uv-$UV_VERSION"
  if [ ! -x "$boot/bin/uv" ]; then
    py="$(find_python)" || {
      echo "Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)" >&2
      exit 1
    }
    echo "==> installing uv $UV_VERSION into $boot${found:+ (the uv on PATH is older: $version)}"
    mkdir -p "$(dirname "$boot")"
    rm -rf "$boot.tmp"
    if "$py" -m pip --version >/dev/null 2>&1; then
      "$py" -m pip install --quiet --disable-pip-version-check --target "$boot.tmp" "uv==$UV_VERSION"
    elif "$py" -m venv "$boot.tmp" >/dev/null 2>&1; then
      "$boot.tmp/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    else
      false
    fi || {
      echo "Installing uv failed (see above). Install pip for $py (Debian: sudo apt-get install python3-pip)," >&2
      echo "or install uv yourself: https://docs.astral.sh/uv/getting-started/installation/" >&2
      rm -rf "$boot.tmp"
      exit 1
    }
    rm -rf "$boot"
    mv "$boot.tmp" "$boot"
  fi
  UV="$boot/bin/uv"
}

# Install the backend with its test and audit extras exactly as backend/uv.lock pins them (hashes checked),
# when the environment is missing or the lock or pyproject.toml changed since the last install.
# To change a dependency: edit backend/pyproject.toml, run `uv lock` in backend/ (docs/operations.md).
ensure_backend_venv() {
  local stamp py
  stamp="$VENV/.aigc-installed"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] &&
    [ ! "$ROOT/backend/uv.lock" -nt "$stamp" ] && [ ! "$ROOT/backend/pyproject.toml" -nt "$stamp" ]; then
    return 0
  fi
  ensure_uv
  # A new environment is made from the Python found here; an existing one keeps its own.
  set --
  if [ ! -x "$VENV/bin/python" ]; then
    py="$(find_python)" || { echo "Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
    set -- --python "$py"
  fi
  echo "==> installing backend dependencies from backend/uv.lock into $VENV"
  # --locked: a pyproject.toml changed without `uv lock` is an error, not a silent re-resolve.
  # --inexact: a package someone added to their own environment by hand is left alone.
  (cd "$ROOT/backend" && UV_PROJECT_ENVIRONMENT="$VENV" "$UV" sync --quiet --locked --inexact \
    --extra test --extra audit --no-python-downloads "$@") || {
    echo "Installing the backend from backend/uv.lock failed; see the uv output above" >&2
    exit 1
  }
  touch "$stamp"
}

# --- what the system must provide ------------------------------------------------------------------

# Where the backend looks for the sandbox programs (aigc.agent.environment.FIXED_VARIABLES["PATH"]).
SANDBOX_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
NODE_MIN_VERSION="20.19.0"

has_program() { command -v "$1" >/dev/null 2>&1; }
has_sandbox_program() { PATH="$SANDBOX_PATH" command -v "$1" >/dev/null 2>&1; }

# Why shell scenarios (the Bash tool, each command in a bubblewrap allow-list sandbox) cannot run
# on this machine, in words; nothing when they can. Present is not enough: bwrap must also be allowed to
# create its namespaces (some containers forbid it).
sandbox_problem() {
  local missing=() output
  has_sandbox_program bwrap || missing+=("bwrap (package bubblewrap)")
  if [ ${#missing[@]} -gt 0 ]; then
    printf 'not installed: %s' "${missing[0]}"
    [ ${#missing[@]} -lt 2 ] || printf ', %s' "${missing[@]:1}"
    echo
    return 0
  fi
  if ! output="$(PATH="$SANDBOX_PATH" bwrap --ro-bind / / --dev /dev --unshare-net true 2>&1)"; then
    echo "bwrap is installed but cannot create a sandbox here: ${output:-it failed without a message}"
  fi
}

# The Node.js the web app needs (package.json "engines"), or why it is not usable.
node_problem() {
  local version
  has_program node && has_program npm || { echo "Node.js $NODE_MIN_VERSION+ with npm is not installed"; return 0; }
  version="$(node --version 2>/dev/null | sed 's/^v//')"
  version_at_least "$version" "$NODE_MIN_VERSION" || echo "Node.js $version is too old (the web app needs $NODE_MIN_VERSION+)"
}

# The command that installs Debian packages, as this user would type it.
apt_command() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo "
  echo "${sudo}apt-get update && ${sudo}apt-get install -y $*"
}

# Install missing Debian packages when this is root on a Debian-like system; returns 1 when it could not.
apt_install() {
  [ "$(id -u)" = 0 ] && has_program apt-get || return 1
  echo "==> installing $* (apt-get)"
  apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
