#!/usr/bin/env bash
# One-click start: install what is missing, migrate, make sure an admin exists, then run the platform
# in the background (backend, the demo model when no ANTHROPIC_API_KEY is set, and the web app).
# Safe to run twice: what already runs is left alone. ./scripts/stop.sh stops what this started.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WITH_FRONTEND=1
for arg in "$@"; do
  case "$arg" in
    --backend-only) WITH_FRONTEND=0 ;;
    -h|--help) echo "usage: $0 [--backend-only]"; exit 0 ;;
    *) echo "unknown option: $arg (try --help)" >&2; exit 2 ;;
  esac
done
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

RUN_DIR="$ROOT/data/run"
FRONTEND_PORT="${FRONTEND_PORT:-5173}"
mkdir -p "$ROOT/data" "$ROOT/work_dir" "$ROOT/logs" "$RUN_DIR"

say() { printf '==> %s\n' "$*"; }
die() { printf 'Error: %s\n' "$*" >&2; exit 1; }

is_running() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

port_busy() {
  "$VENV/bin/python" - "$1" <<'PY'
import socket, sys
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(0)
sys.exit(1)
PY
}

start_bg() { # name logfile command...
  local name="$1" log="$2"; shift 2
  # Its own process group (pid = group id), so stop.sh can stop it with every child it starts (npm -> vite).
  setsid nohup "$@" >>"$log" 2>&1 < /dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

setting() { "$VENV/bin/aigc" config | sed -n "s/^$1=//p"; }

ensure_backend_venv

# A private .env with a generated JWT secret on first run; an operator's own .env is never overwritten.
if [ ! -f "$ROOT/.env" ]; then
  say "writing .env with a generated JWT secret"
  secret="$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))')"
  printf '# Created by scripts/start.sh; see .env.example for every setting.\nJWT_SECRET_KEY=%s\n' "$secret" >"$ROOT/.env"
  chmod 600 "$ROOT/.env"
fi

"$VENV/bin/aigc" config >/dev/null || die "fix the setting named above in .env or the environment"
HOST="$(setting HOST)"; PORT="$(setting PORT)"; DEMO_PORT="$(setting DEMO_MODEL_PORT)"

say "migrating the database"
"$VENV/bin/aigc" db upgrade

# The first admin: credentials from AIGC_ADMIN_USERNAME / AIGC_ADMIN_PASSWORD, or generated and shown once.
admin_file="$ROOT/data/.admin-created"
if [ ! -f "$admin_file" ]; then
  admin_user="${AIGC_ADMIN_USERNAME:-admin}"
  if [ -n "${AIGC_ADMIN_PASSWORD:-}" ]; then
    "$VENV/bin/aigc" create-admin --username "$admin_user"
  else
    "$VENV/bin/aigc" create-admin --username "$admin_user" --generate
  fi
  touch "$admin_file"
fi

api_key="$(setting ANTHROPIC_API_KEY)"
if [ -z "$api_key" ] || [ "$api_key" = "(not set)" ]; then
  if is_running demo-model; then
    say "demo model already running"
  else
    port_busy "$DEMO_PORT" && die "port $DEMO_PORT (DEMO_MODEL_PORT) is in use; free it or set DEMO_MODEL_PORT"
    say "no ANTHROPIC_API_KEY: starting the scripted demo model on port $DEMO_PORT"
    start_bg demo-model "$ROOT/logs/demo-model.log" "$VENV/bin/aigc" mock-model --port "$DEMO_PORT"
  fi
fi

if is_running backend; then
  say "backend already running"
else
  port_busy "$PORT" && die "port $PORT is in use; stop what uses it or set PORT in .env"
  say "starting the backend on http://$HOST:$PORT"
  # The backend writes its own rotated logs/backend.log; stdout only catches start-up failures.
  start_bg backend "$ROOT/logs/backend.stdout.log" "$VENV/bin/aigc" serve
fi

FRONTEND="$ROOT/frontend/aigc-frontend"
web_note=""
if [ "$WITH_FRONTEND" = 1 ] && [ -f "$FRONTEND/package.json" ] && ! is_running frontend; then
  # Without a usable Node.js the API still starts: it is the whole platform minus the browser UI.
  if problem="$(node_problem)" && [ -n "$problem" ]; then
    web_note="not started: $problem (https://nodejs.org/en/download); then run ./scripts/start.sh again"
    say "web app $web_note"
    WITH_FRONTEND=0
  fi
fi
if [ "$WITH_FRONTEND" = 1 ] && [ -f "$FRONTEND/package.json" ]; then
  if is_running frontend; then
    say "web app already running"
  else
    if [ ! -d "$FRONTEND/node_modules" ]; then
      say "installing the web app's packages"
      (cd "$FRONTEND" && npm install --no-audit --no-fund >>"$ROOT/logs/frontend.log" 2>&1) ||
        die "npm install failed; see logs/frontend.log"
    fi
    port_busy "$FRONTEND_PORT" && die "port $FRONTEND_PORT is in use; stop what uses it or set FRONTEND_PORT"
    say "starting the web app on http://127.0.0.1:$FRONTEND_PORT"
    VITE_API_PROXY_TARGET="http://$HOST:$PORT" start_bg frontend "$ROOT/logs/frontend.log" \
      npm --prefix "$FRONTEND" run dev -- --host 127.0.0.1 --port "$FRONTEND_PORT" --strictPort
  fi
fi

# Shell scenarios run each Bash command inside a bubblewrap allow-list sandbox; without bubblewrap such
# scenarios are refused with a message, and everything else works.
shell_problem="$(sandbox_problem)"
if [ -z "$shell_problem" ]; then
  shell_note="scenarios with the Bash and web tools run, sandboxed by bubblewrap"
else
  shell_note="OFF: scenarios with the Bash or web tools are refused (see above)"
  say "shell scenarios: OFF on this machine, $shell_problem"
  if ! has_sandbox_program bwrap; then
    if has_program apt-get; then
      echo "    To enable them: $(apt_command bubblewrap)   (no restart needed)"
    else
      echo "    To enable them, install bubblewrap with the system's package manager (no restart needed)."
    fi
  else
    echo "    In a container, allow it user namespaces (e.g. podman/docker run --security-opt seccomp=unconfined)."
  fi
  echo "    Until then, scenarios that use the Bash, WebFetch or WebSearch tools are refused with a message."
fi

say "waiting for the backend to be healthy"
for _ in $(seq 1 60); do
  if "$VENV/bin/aigc" health >/dev/null 2>&1; then
    echo
    echo "AIGC platform is running"
    echo "  API:      http://$HOST:$PORT/api/v1  (docs: http://$HOST:$PORT/api/v1/docs)"
    is_running frontend && echo "  Web app:  http://127.0.0.1:$FRONTEND_PORT"
    [ -z "$web_note" ] || echo "  Web app:  $web_note"
    echo "  Shell:    $shell_note"
    is_running demo-model && echo "  Model:    offline demo model (set ANTHROPIC_API_KEY in .env for Claude)"
    echo "  Logs:     $ROOT/logs"
    echo "  Stop:     ./scripts/stop.sh"
    exit 0
  fi
  is_running backend || die "the backend exited; see logs/backend.stdout.log and logs/backend.log"
  sleep 1
done
die "the backend did not become healthy within 60 s; see logs/backend.log"
