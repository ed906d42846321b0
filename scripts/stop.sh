#!/usr/bin/env bash
# Stop exactly what ./scripts/start.sh started (tracked by pid files in data/run).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/data/run"

for name in frontend backend demo-model; do
  pidfile="$RUN_DIR/$name.pid"
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    echo "==> stopping $name (pid $pid)"
    # start.sh gives each service its own process group: signal the group, so children (vite) stop too.
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL -- "-$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
done
echo "==> stopped"
