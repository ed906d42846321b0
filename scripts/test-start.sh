#!/usr/bin/env bash
# On a clean clone: ./scripts/start.sh brings up a healthy backend and web app, a second run is harmless,
# and ./scripts/stop.sh stops exactly what was started. Uses free ports, so a running instance is untouched.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-python3}"
work="$(mktemp -d)"
clone="$work/aigc"
cleanup() {
  [ -x "$clone/scripts/stop.sh" ] && "$clone/scripts/stop.sh" >/dev/null 2>&1 || true
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work" 2>/dev/null || true; }
}
trap cleanup EXIT

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export PORT="$(free_port)" DEMO_MODEL_PORT="$(free_port)" FRONTEND_PORT="$(free_port)"
export AIGC_ADMIN_PASSWORD="start-test-password-1"
# This test is about the offline start: no real model endpoint, whatever the caller's environment has.
unset ANTHROPIC_API_KEY ANTHROPIC_BASE_URL

echo "==> clean clone in $clone"
git clone -q "$ROOT" "$clone"
cd "$clone"

echo "==> first start"
./scripts/start.sh | tee "$work/start.log"
grep -q "AIGC platform is running" "$work/start.log"

echo "==> backend, demo model and web app answer"
curl -fsS "http://127.0.0.1:$PORT/api/v1/health" | grep -q '"status":"ok"'
curl -fsS "http://127.0.0.1:$PORT/api/v1/platform/info" | grep -q '"demo_model":true'
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$FRONTEND_PORT/" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "http://127.0.0.1:$FRONTEND_PORT/" | grep -q '<div id="root">'
# The dev server proxies /api to the backend: one origin for the browser.
curl -fsS "http://127.0.0.1:$FRONTEND_PORT/api/v1/health" | grep -q '"db":"ok"'
token="$(curl -fsS -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -d "username=admin&password=$AIGC_ADMIN_PASSWORD" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
[ -n "$token" ]
[ -f logs/backend.log ] && [ -f logs/frontend.log ] && [ -f logs/demo-model.log ]

echo "==> second start is harmless"
./scripts/start.sh | tee "$work/start2.log"
grep -q "backend already running" "$work/start2.log"

pids="$(cat data/run/*.pid)"
echo "==> stop"
./scripts/stop.sh
sleep 1
for pid in $pids; do
  # The whole group: a surviving child (vite under npm) would keep the port and the folder busy.
  if kill -0 -- "-$pid" 2>/dev/null; then echo "process group $pid is still running after stop.sh" >&2; exit 1; fi
done
for port in "$PORT" "$DEMO_MODEL_PORT" "$FRONTEND_PORT"; do
  if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then echo "port $port still answers after stop.sh" >&2; exit 1; fi
done
echo "start.sh and stop.sh: 1 passed, 0 failed"
