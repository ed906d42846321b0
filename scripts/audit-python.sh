#!/usr/bin/env bash
# Audit the Python packages pinned in backend/uv.lock (every extra included) with pip-audit.
# Exit 1: a known vulnerability has a fixed release (update the lock). A vulnerability with no fix yet is
# listed but not fatal; docs/reliability.md says whether it can reach the platform. Exit 3: no
# vulnerability service answered (PyPI's JSON API, then OSV), so nothing was audited; said loudly, because
# pip-audit alone then reports "No known vulnerabilities found".
# AIGC_AUDIT_SERVICES chooses the services to try, in order (default: "pypi osv").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
ensure_backend_venv
ensure_uv

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$UV" export --project "$ROOT/backend" --frozen --all-extras --no-emit-project --quiet \
  --output-file "$work/requirements.txt"

status=3
for service in ${AIGC_AUDIT_SERVICES:-pypi osv}; do
  echo "==> pip-audit against backend/uv.lock (vulnerability service: $service)"
  rm -f "$work/report.json"
  # Its exit status is decided by audit_verdict.py from the report, not by pip-audit.
  "$VENV/bin/pip-audit" --requirement "$work/requirements.txt" --require-hashes --disable-pip \
    --vulnerability-service "$service" --progress-spinner off --format json --output "$work/report.json" \
    2>"$work/pip-audit.log" >/dev/null || true
  status=0
  "$VENV/bin/python" "$ROOT/scripts/audit_verdict.py" "$work/report.json" "$work/pip-audit.log" || status=$?
  [ "$status" = 3 ] || break
done
if [ "$status" = 3 ]; then
  echo "The Python dependencies were NOT audited: no vulnerability service could be reached from here." >&2
fi
exit "$status"
