#!/usr/bin/env bash
# Build deploy/Dockerfile with podman and check the image really serves: run it, wait until its
# HEALTHCHECK passes, sign in as an admin created from the environment, run one chat turn against the
# scripted model, stop and remove it. Then the same through deploy/docker-compose.yml with podman-compose
# (skip with AIGC_IMAGE_COMPOSE=0). CI step; needs root and Debian's podman, buildah, runc and debootstrap.
#
# No image registry is reachable here, so the base images are made from Debian packages (debootstrap, then
# `podman import`) and passed to the Dockerfile as build arguments. They are cached in AIGC_IMAGE_CACHE
# (default /var/cache/aigc-image), keyed by what went into them; delete that folder to rebuild them.
# The host's CA bundle goes to the build as the `ca` secret (pip and npm inside the build need it here,
# as behind a TLS-inspecting company proxy). Timings are printed at the end.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${AIGC_IMAGE_CACHE:-/var/cache/aigc-image}"
MIRROR="${AIGC_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CA_BUNDLE="${AIGC_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
IMAGE="localhost/aigc:test-image"
CONTAINER="aigc-test-image-$$"
# crun refuses this host's hybrid cgroup layout; runc works. Without the ulimits the container inherits
# limits podman cannot set here.
RUNTIME_FLAGS=(--runtime runc)
LIMIT_FLAGS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# Bump to rebuild the cached base images when the recipe below changes.
BASE_RECIPE=1
# Debian 12's podman-compose (1.0.3) ignores profiles; 1.6.0 honours them (deploy/README.md).
PODMAN_COMPOSE_VERSION=1.6.0
with_compose="${AIGC_IMAGE_COMPOSE:-1}"
PROJECT="aigc-test-image-$$"

fail() { echo "test-image: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (podman builds and runs the image rootful here)"
missing=()
for program in podman buildah runc debootstrap curl; do
  command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
[ ${#missing[@]} = 0 ] || fail "missing ${missing[*]}; install with: apt-get install -y podman buildah runc debootstrap uidmap curl"
[ -s "$CA_BUNDLE" ] || fail "no CA bundle at $CA_BUNDLE (set AIGC_CA_BUNDLE)"

WORK="$(mktemp -d)"
declare -A TIMES=()
ORDER=()
cleanup() {
  podman rm --force --ignore --time 5 "$CONTAINER" >/dev/null 2>&1 || true
  if [ -n "${PODMAN_COMPOSE:-}" ] && [ -f "$WORK/compose/docker-compose.yml" ]; then
    (cd "$WORK/compose" && "$PODMAN_COMPOSE" -p "$PROJECT" down --volumes) >/dev/null 2>&1 || true
  fi
  [ -n "${BASE_DIR_TMP:-}" ] && rm -rf "$BASE_DIR_TMP"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

timed() { # label command...: run, remember how long it took
  local label="$1" start
  shift
  start=$(date +%s%N)
  "$@"
  TIMES[$label]=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')
  ORDER+=("$label")
}

# --- base images: debootstrap once per key, then `podman import` (skipped when podman still has it)
base_key() { # suite
  printf '%s\n' "$1" minbase "$MIRROR" "$(dpkg --print-architecture)" \
    "$(dpkg-query -W -f='${Version}' debootstrap)" "$BASE_RECIPE" | sha256sum | cut -c1-12
}

debootstrap_base() { # suite tarball
  local suite="$1" tarball="$2"
  BASE_DIR_TMP="$(mktemp -d "$CACHE/.$suite-XXXXXX")"
  debootstrap --variant=minbase "$suite" "$BASE_DIR_TMP/root" "$MIRROR" >"$BASE_DIR_TMP/log" 2>&1 ||
    { tail -n 20 "$BASE_DIR_TMP/log" >&2; fail "debootstrap $suite failed"; }
  # Security updates too, as the official Debian images have.
  cat >"$BASE_DIR_TMP/root/etc/apt/sources.list" <<EOF
deb $MIRROR $suite main
deb $MIRROR $suite-updates main
deb ${MIRROR%/debian}/debian-security $suite-security main
EOF
  rm -rf "$BASE_DIR_TMP"/root/var/cache/apt/archives/*.deb "$BASE_DIR_TMP"/root/var/lib/apt/lists/*
  tar -C "$BASE_DIR_TMP/root" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
  rm -rf "$BASE_DIR_TMP"
  BASE_DIR_TMP=""
}

base_image() { # suite -> sets BASE_IMAGE
  local suite="$1" key tarball
  key="$(base_key "$suite")"
  BASE_IMAGE="localhost/aigc-base-$suite:$key"
  podman image exists "$BASE_IMAGE" && return 0
  mkdir -p "$CACHE"
  tarball="$CACHE/$suite-$key.tar"
  [ -s "$tarball" ] || timed "debootstrap $suite" debootstrap_base "$suite" "$tarball"
  timed "podman import $suite" podman import --quiet "$tarball" "$BASE_IMAGE" >/dev/null
}

echo "==> base images (cache: $CACHE)"
# bookworm: Python 3.11, as tested. trixie: Node.js 20.19 for the web app build (bookworm has 18).
base_image bookworm
PYTHON_BASE="$BASE_IMAGE"
base_image trixie
NODE_BASE="$BASE_IMAGE"
echo "    python stage: $PYTHON_BASE, node stage: $NODE_BASE"

echo "==> podman build deploy/Dockerfile"
# --format docker keeps the HEALTHCHECK (the OCI format has no field for it).
build() {
  podman build --format docker "${RUNTIME_FLAGS[@]}" "${LIMIT_FLAGS[@]}" \
    --build-arg "PYTHON_IMAGE=$PYTHON_BASE" --build-arg "NODE_IMAGE=$NODE_BASE" \
    --secret "id=ca,src=$CA_BUNDLE" \
    --file "$ROOT/deploy/Dockerfile" --tag "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1 ||
    { tail -n 40 "$WORK/build.log" >&2; fail "podman build failed (full log above)"; }
}
timed "podman build" build
SIZE="$(podman image inspect --format '{{.Size}}' "$IMAGE")"

# --- run it and use it as a person would
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
random_secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(48))'; }
ADMIN_PASSWORD="$(random_secret | cut -c1-24)"

# podman runs a HEALTHCHECK on a systemd timer, which this host lacks: run the same check ourselves.
wait_healthy() { # container
  local deadline=$((SECONDS + 120))
  until podman healthcheck run "$1" >/dev/null 2>&1; do
    if [ "$(podman inspect --format '{{.State.Running}}' "$1" 2>/dev/null)" != true ]; then
      podman logs "$1" 2>&1 | tail -n 30 >&2
      fail "the container stopped before it was healthy"
    fi
    if [ $SECONDS -ge $deadline ]; then
      podman logs "$1" 2>&1 | tail -n 30 >&2
      fail "not healthy after 120 s"
    fi
    sleep 1
  done
}

chat_turn() { # base_url: sign in, open a session, send one message, read the SSE stream to `done`
  local base="$1" token session stream
  token="$(curl -fsS "$base/api/v1/auth/login" --data-urlencode username=admin \
    --data-urlencode "password=$ADMIN_PASSWORD" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')" ||
    fail "sign-in as admin failed"
  session="$(curl -fsS "$base/api/v1/sessions" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{}' | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')" || fail "creating a session failed"
  stream="$WORK/turn.sse"
  curl -fsSN --max-time 120 "$base/api/v1/sessions/$session/messages" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' -d '{"content": "Hello from the image test"}' >"$stream" ||
    fail "the chat turn request failed: $(tail -c 500 "$stream")"
  python3 - "$stream" <<'EOF' || fail "the chat turn did not end well"
import json, sys

events, name = [], "message"
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("event:"):
        name = line.partition(":")[2].strip()
    elif line.startswith("data:"):
        events.append((name, json.loads(line.partition(":")[2])))
kinds = [kind for kind, _ in events]
text = "".join(data.get("text", "") for kind, data in events if kind == "text_delta")
done = [data for kind, data in events if kind == "done"]
if not done or done[-1].get("status") != "ok" or not text.strip():
    sys.exit(f"events {kinds}, done {done}")
print(f"    turn ok: {len(events)} events, reply {text.strip()[:60]!r}")
EOF
  curl -fsS "$base/" | grep -qi '<div id="root"' || fail "the web app is not served at /"
}

echo "==> podman run"
PORT="$(free_port)"
run_container() {
  podman run --detach --name "$CONTAINER" "${RUNTIME_FLAGS[@]}" "${LIMIT_FLAGS[@]}" \
    --publish "127.0.0.1:$PORT:8000" --env "JWT_SECRET_KEY=$(random_secret)" "$IMAGE" \
    >/dev/null 2>"$WORK/run.log" || { cat "$WORK/run.log" >&2; fail "podman run failed"; }
  wait_healthy "$CONTAINER"
}
timed "start to healthy" run_container
# Orphans (a command's children whose launcher died) are handed to PID 1: it must be an init that reaps them.
init="$(podman exec "$CONTAINER" cat /proc/1/cmdline | tr '\0' ' ')"
[[ "$init" == "/usr/bin/tini "* ]] || fail "PID 1 of the container is not tini but: $init"
podman exec --env "AIGC_ADMIN_PASSWORD=$ADMIN_PASSWORD" "$CONTAINER" aigc create-admin --username admin >/dev/null
timed "sign-in and chat turn" chat_turn "http://127.0.0.1:$PORT"
# (Without systemd podman also complains, harmlessly, that it cannot remove the health check's timer.)
podman stop --time 20 "$CONTAINER" >/dev/null 2>&1 || fail "podman stop failed"
podman rm "$CONTAINER" >/dev/null 2>&1 || fail "podman rm failed"

if [ "$with_compose" = 1 ]; then
  echo "==> podman-compose $PODMAN_COMPOSE_VERSION up (deploy/docker-compose.yml)"
  # In a venv of its own under the cache, from PyPI: Debian 12 ships only 1.0.3.
  compose_venv="$CACHE/podman-compose-$PODMAN_COMPOSE_VERSION"
  if [ ! -f "$compose_venv/.installed" ]; then
    rm -rf "$compose_venv"
    { python3 -m venv "$compose_venv" &&
      "$compose_venv/bin/pip" install --quiet --disable-pip-version-check "podman-compose==$PODMAN_COMPOSE_VERSION"; } \
      >"$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log" >&2; fail "could not install podman-compose $PODMAN_COMPOSE_VERSION with pip"; }
    touch "$compose_venv/.installed"
  fi
  PODMAN_COMPOSE="$compose_venv/bin/podman-compose"
  # The Compose file as shipped, with three changes to its `aigc` service: the image just built; a free
  # loopback port (8000 may be taken here); and no `depends_on`, because podman-compose (1.6.0, the newest)
  # does not know `required: false` and fails with KeyError on a dependency whose profile is off.
  mkdir -p "$WORK/compose"
  COMPOSE_PORT="$(free_port)"
  "$compose_venv/bin/python" - "$ROOT/deploy/docker-compose.yml" "$WORK/compose/docker-compose.yml" \
    "$IMAGE" "$COMPOSE_PORT" <<'EOF' || fail "deploy/docker-compose.yml changed shape: update this script"
import sys

import yaml  # podman-compose's own dependency

source, target, image, port = sys.argv[1:]
with open(source, encoding="utf-8") as file:
    compose = yaml.safe_load(file)
aigc = compose["services"]["aigc"]
assert aigc["image"] == "aigc:latest" and aigc["ports"] == ["8000:8000"], (aigc["image"], aigc["ports"])
assert all(dependency.get("required") is False for dependency in aigc.get("depends_on", {}).values())
aigc.update(image=image, ports=[f"127.0.0.1:{port}:8000"])
aigc.pop("depends_on", None)
with open(target, "w", encoding="utf-8") as file:
    yaml.safe_dump(compose, file, sort_keys=False)
EOF
  # Compose reads every ${VAR:?} even of services whose profile is off, hence the two unused passwords.
  {
    echo "JWT_SECRET_KEY=$(random_secret)"
    echo "POSTGRES_PASSWORD=unused-$(random_secret)"
    echo "MINIO_ROOT_PASSWORD=unused-$(random_secret)"
  } >"$WORK/compose/.env"
  compose_up() {
    (cd "$WORK/compose" && "$PODMAN_COMPOSE" -p "$PROJECT" --podman-args="${RUNTIME_FLAGS[*]}" \
      --podman-run-args="${LIMIT_FLAGS[*]}" up --detach --no-build) >"$WORK/compose.log" 2>&1 ||
      { tail -n 30 "$WORK/compose.log" >&2; fail "podman-compose up failed"; }
    wait_healthy "${PROJECT}_aigc_1"
  }
  timed "compose up to healthy" compose_up
  podman exec --env "AIGC_ADMIN_PASSWORD=$ADMIN_PASSWORD" "${PROJECT}_aigc_1" aigc create-admin --username admin >/dev/null
  timed "compose chat turn" chat_turn "http://127.0.0.1:$COMPOSE_PORT"
  (cd "$WORK/compose" && "$PODMAN_COMPOSE" -p "$PROJECT" down --volumes) >>"$WORK/compose.log" 2>&1 ||
    { tail -n 30 "$WORK/compose.log" >&2; fail "podman-compose down failed"; }
  if podman container exists "${PROJECT}_aigc_1"; then fail "podman-compose down left the container behind"; fi
fi

echo "==> image $IMAGE: $(numfmt --to=iec-i --suffix=B "$SIZE") ($SIZE bytes)"
for label in "${ORDER[@]}"; do
  printf '    %-24s %6s s\n' "$label" "${TIMES[$label]}"
done
echo "==> image test passed"
