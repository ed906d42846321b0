# Starts a throw-away platform for the browser tests and the screenshots (sourced, not run).
# ROOT must be set by the caller. After `e2e_start`: E2E_BASE_URL, E2E_MOCK_URL, E2E_ADMIN_USERNAME,
# E2E_ADMIN_PASSWORD and E2E_TMP are exported; `e2e_stop` (call it from an EXIT trap) stops both
# servers and removes the temporary folder.
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

FRONTEND="$ROOT/frontend/aigc-frontend"
E2E_PIDS=()

e2e_free_port() {
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until `url` answers 200, or the process `pid` died, or 60 s went by.
e2e_wait_for() {
  local url="$1" pid="$2" name="$3"
  for _ in $(seq 1 120); do
    if "$VENV/bin/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "e2e: the $name exited during start-up; its log:" >&2
      tail -n 40 "$E2E_TMP/$name.log" >&2 || true
      return 1
    fi
    sleep 0.5
  done
  echo "e2e: the $name did not answer $url within 60 s" >&2
  return 1
}

# Builds the web app when dist/ is missing or older than the sources.
e2e_build_if_needed() {
  local dist="$FRONTEND/dist/index.html"
  if [ ! -f "$dist" ] || [ -n "$(find "$FRONTEND/src" "$FRONTEND/index.html" "$FRONTEND/package.json" -newer "$dist" -print -quit)" ]; then
    echo "==> building the web app"
    (cd "$FRONTEND" && npm run --silent build >/dev/null)
  fi
}

e2e_start() {
  [ -x "$VENV/bin/aigc" ] || { echo "e2e: no backend at $VENV (run scripts/test.sh or scripts/start.sh once)" >&2; return 1; }
  E2E_TMP="$(mktemp -d "${TMPDIR:-/tmp}/aigc-e2e.XXXXXX")"
  local port mock_port
  port="$(e2e_free_port)"
  mock_port="$(e2e_free_port)"
  while [ "$mock_port" = "$port" ]; do mock_port="$(e2e_free_port)"; done

  # No API key: the platform runs on the scripted demo model started below.
  unset ANTHROPIC_API_KEY ANTHROPIC_BASE_URL ANTHROPIC_AUTH_TOKEN
  export DEBUG=true
  export DATA_DIR="$E2E_TMP/data" WORK_DIR="$E2E_TMP/work" LOG_DIR="$E2E_TMP/logs"
  export DATABASE_URL="sqlite+aiosqlite:///$E2E_TMP/aigc.db"
  export FRONTEND_DIST_DIR="$FRONTEND/dist"
  export DEMO_MODEL_PORT="$mock_port"
  export JWT_SECRET_KEY="e2e-$(date +%s%N)-$RANDOM$RANDOM-secret-key-for-tests-only"
  export REGISTRATION_MODE=open
  # Many sign-ins from one address in a few minutes; cheap password hashing keeps them fast.
  export LOGIN_MAX_ATTEMPTS_PER_IP=10000 LOGIN_MAX_FAILURES_PER_ACCOUNT=1000
  export ARGON2_TIME_COST=1 ARGON2_MEMORY_COST=1024
  mkdir -p "$DATA_DIR" "$WORK_DIR" "$LOG_DIR"

  export E2E_ADMIN_USERNAME=e2eadmin
  export E2E_ADMIN_PASSWORD="e2e-admin-$RANDOM$RANDOM"
  # The smoke spec signs in with these.
  export E2E_USERNAME="$E2E_ADMIN_USERNAME" E2E_PASSWORD="$E2E_ADMIN_PASSWORD"
  "$VENV/bin/aigc" db upgrade >"$E2E_TMP/migrate.log" 2>&1 || { cat "$E2E_TMP/migrate.log" >&2; return 1; }
  "$VENV/bin/aigc" create-admin --username "$E2E_ADMIN_USERNAME" --password "$E2E_ADMIN_PASSWORD" >/dev/null

  "$VENV/bin/aigc" mock-model --port "$mock_port" >"$E2E_TMP/mock-model.log" 2>&1 &
  E2E_PIDS+=("$!")
  local mock_pid=$!
  "$VENV/bin/aigc" serve --port "$port" >"$E2E_TMP/backend.log" 2>&1 &
  E2E_PIDS+=("$!")
  local backend_pid=$!

  export E2E_MOCK_URL="http://127.0.0.1:$mock_port"
  export E2E_BASE_URL="http://127.0.0.1:$port"
  e2e_wait_for "$E2E_MOCK_URL/_mock/script" "$mock_pid" mock-model || return 1
  e2e_wait_for "$E2E_BASE_URL/api/v1/health" "$backend_pid" backend || return 1
  echo "==> platform on $E2E_BASE_URL (scripted model on $E2E_MOCK_URL, data in $E2E_TMP)"
}

e2e_stop() {
  local pid
  for pid in "${E2E_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${E2E_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  E2E_PIDS=()
  if [ -n "${E2E_TMP:-}" ] && [ -d "$E2E_TMP" ]; then
    if [ "${E2E_KEEP_TMP:-0}" = 1 ]; then
      echo "e2e: kept $E2E_TMP"
    else
      rm -rf "$E2E_TMP"
    fi
  fi
}
