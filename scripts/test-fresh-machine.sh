#!/usr/bin/env bash
# The README's two commands on a machine that lacks the optional system packages, as a new user runs them:
# a clean clone, an unprivileged user (so nothing can be installed with apt), no uv on PATH, and no
# bubblewrap, socat, Chromium, pg_dump or Node.js. Expected:
#   ./scripts/test.sh   stops at once (no install, no test run) with a clear message naming the packages and
#                       the command that installs them, a non-zero exit, and no Python traceback;
#   ./scripts/start.sh  installs the backend from backend/uv.lock (bootstrapping uv with pip), starts the API
#                       and the demo model without the web app, and says shell scenarios are off and how to
#                       turn them on; ./scripts/stop.sh then stops everything it started.
# Needs root: it hides the programs with bind mounts in a private mount namespace and runs the commands as
# `nobody`. Package downloads are cached in AIGC_FRESH_CACHE (default /var/tmp/aigc-fresh-machine-cache).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOURCE="${AIGC_FRESH_REPO:-$ROOT}"
CACHE="${AIGC_FRESH_CACHE:-/var/tmp/aigc-fresh-machine-cache}"
RUN_AS="${AIGC_FRESH_USER:-nobody}"

if [ "$(id -u)" != 0 ]; then
  echo "test-fresh-machine.sh needs root (to hide programs in a private mount namespace)" >&2
  exit 1
fi
for program in unshare setpriv git; do
  command -v "$program" >/dev/null || { echo "test-fresh-machine.sh needs $program" >&2; exit 1; }
done
uid="$(id -u "$RUN_AS")" gid="$(id -g "$RUN_AS")"

work="$(mktemp -d)"
clone="$work/aigc"
cleanup() {
  # Whatever start.sh left running (a failed check may stop before stop.sh): each is its own group.
  # `|| true`: a service that already exited must not end the loop (set -e) before the others are stopped.
  local pidfile
  for pidfile in "$clone"/data/run/*.pid; do
    [ -f "$pidfile" ] && kill -KILL -- "-$(cat "$pidfile")" 2>/dev/null || true
  done
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work" 2>/dev/null || true; }
}
trap cleanup EXIT

echo "==> clean clone in $clone, run as $RUN_AS"
git clone -q "$SOURCE" "$clone"
mkdir -p "$work/home" "$CACHE/uv" "$CACHE/pip"
chown -R "$uid:$gid" "$work" "$CACHE"
chmod 755 "$work"

# The programs this machine lacks: each folder that holds one gets an overlay in which it is deleted (an
# overlayfs whiteout), so it is really absent, as on a machine where the package was never installed.
# Hiding the pg_dump wrapper's link hides pg_dump; psql and pg_restore are not needed without PostgreSQL.
declare -A whiteouts=()
for program in bwrap socat chromium node npm npx pg_dump uv; do
  while read -r path; do
    [ -n "$path" ] || continue
    dir="$(cd "$(dirname "$path")" && pwd -P)"
    case " ${whiteouts[$dir]:-} " in *" $(basename "$path") "*) ;; *) whiteouts["$dir"]+=" $(basename "$path")" ;; esac
  done < <(PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" type -aP "$program" 2>/dev/null || true)
done
overlays=()
n=0
for dir in "${!whiteouts[@]}"; do
  n=$((n + 1))
  mkdir -p "$work/overlay/$n/upper" "$work/overlay/$n/work"
  for name in ${whiteouts[$dir]}; do
    [ -e "$work/overlay/$n/upper/$name" ] || mknod "$work/overlay/$n/upper/$name" c 0 0
  done
  overlays+=("$dir:$work/overlay/$n")
  echo "==> hiding from $dir:${whiteouts[$dir]}"
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# The user's session: a plain PATH (no pyenv, no ~/.local), the proxy and CA settings a company machine
# would have, and nothing else from this shell.
user_env=(
  "HOME=$work/home" "USER=$RUN_AS" "LOGNAME=$RUN_AS" "LANG=C.UTF-8" "TERM=dumb"
  "PATH=/usr/local/bin:/usr/bin:/bin"
  "UV_CACHE_DIR=$CACHE/uv" "PIP_CACHE_DIR=$CACHE/pip"
  "PORT=$(free_port)" "DEMO_MODEL_PORT=$(free_port)" "FRONTEND_PORT=$(free_port)"
  "AIGC_ADMIN_PASSWORD=fresh-machine-password-1"
)
for name in SSL_CERT_FILE SSL_CERT_DIR PIP_CERT REQUESTS_CA_BUNDLE PIP_INDEX_URL UV_INDEX_URL \
  http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
  [ -n "${!name:-}" ] && user_env+=("$name=${!name}")
done

cat >"$work/as-user.sh" <<'EOF'
#!/usr/bin/env bash
# Runs as the unprivileged user inside the mount namespace: the README's two commands, then checks.
set -uo pipefail
cd "$1"
fail() {
  echo "FAIL: $*" >&2
  for log in logs/backend.stdout.log logs/backend.log logs/demo-model.log; do
    [ -s "$log" ] && { echo "---- $log (last 20 lines)" >&2; tail -n 20 "$log" >&2; }
  done
  exit 1
}

for program in bwrap socat chromium node npm uv; do
  command -v "$program" >/dev/null 2>&1 && fail "$program is still visible; the check would prove nothing"
done

echo "==> ./scripts/test.sh"
start=$(date +%s)
./scripts/test.sh >test.log 2>&1
status=$?
took=$(( $(date +%s) - start ))
sed 's/^/    | /' test.log
echo "    (test.sh stopped after ${took}s)"
[ "$status" != 0 ] || fail "test.sh exited 0 on a machine without the sandbox, Chromium and Node.js"
grep -q "Traceback" test.log && fail "test.sh printed a Python traceback"
grep -q "cannot run every test suite yet" test.log || fail "test.sh did not say why it stopped"
grep -q "sudo apt-get update && sudo apt-get install -y bubblewrap socat chromium" test.log ||
  fail "test.sh did not print the command that installs the missing packages"
grep -q "Node.js" test.log || fail "test.sh did not say that Node.js is missing"
[ ! -e backend/.venv ] || fail "test.sh installed the backend before saying what the machine lacks"
[ "$took" -le 20 ] || fail "test.sh took ${took}s to stop; it should stop at once"

echo "==> ./scripts/start.sh"
start=$(date +%s)
./scripts/start.sh 2>&1 | while IFS= read -r line; do printf '%4ss %s\n' "$(( $(date +%s) - start ))" "$line"; done >start.log
status=${PIPESTATUS[0]}
sed 's/^/    | /' start.log
[ "$status" = 0 ] || fail "start.sh exited $status"
grep -q "Traceback" start.log && fail "start.sh printed a Python traceback"
grep -q "AIGC platform is running" start.log || fail "start.sh did not report a running platform"
grep -q "installing uv" start.log || fail "start.sh did not bootstrap uv (is uv reachable on PATH?)"
grep -q "from backend/uv.lock" start.log || fail "start.sh did not install from the lock"
grep -q "shell scenarios: OFF on this machine, not installed: bwrap (package bubblewrap)" start.log ||
  fail "start.sh did not say that shell scenarios are off and why"
grep -q "To enable them: sudo apt-get update && sudo apt-get install -y bubblewrap " start.log ||
  fail "start.sh did not say how to enable shell scenarios"
grep -q "web app not started: Node.js" start.log || fail "start.sh did not say why the web app is not running"
backend/.venv/bin/python - "$PORT" <<'PY' || fail "the backend does not answer as expected"
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}/api/v1"
health = json.load(urllib.request.urlopen(f"{base}/health", timeout=10))
assert health["status"] == "ok", health
info = json.load(urllib.request.urlopen(f"{base}/platform/info", timeout=10))
assert info["demo_model"] is True, info
PY
grep -q "backend already running" <(./scripts/start.sh 2>&1) || fail "a second start.sh is not harmless"

echo "==> ./scripts/stop.sh"
./scripts/stop.sh >/dev/null || fail "stop.sh failed"
for pidfile in data/run/*.pid; do [ -f "$pidfile" ] && fail "stop.sh left $pidfile"; done
echo "fresh machine: test.sh stops with the command to run, start.sh starts the API and says what is off"
EOF
chmod 755 "$work/as-user.sh"

printf '%s\n' "${user_env[@]}" >"$work/env"

# shellcheck disable=SC2016
unshare --mount --propagation private bash -c '
  set -e
  for overlay in "${@:4}"; do
    dir="${overlay%%:*}" layer="${overlay#*:}"
    mount -t overlay overlay -o "lowerdir=$dir,upperdir=$layer/upper,workdir=$layer/work" "$dir"
  done
  mapfile -t user_env <"$3/env"
  exec setpriv --reuid="$1" --regid="$2" --clear-groups env -i "${user_env[@]}" bash "$3/as-user.sh" "$3/aigc"
' _ "$uid" "$gid" "$work" "${overlays[@]}" 2>&1 || {
  echo "fresh machine: FAILED" >&2
  exit 1
}
echo "fresh machine: 1 passed, 0 failed"
