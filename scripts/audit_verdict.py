"""Read a pip-audit JSON report and decide: exit 1 when a vulnerability has a fixed release, 3 when no
package could be audited (the vulnerability service did not answer), otherwise 0.

pip-audit itself exits 0 with "No known vulnerabilities found" when every package was skipped, and 1 for a
vulnerability nobody can fix yet; neither is what CI should report. Used by scripts/audit-python.sh.

usage: python audit_verdict.py REPORT.json [PIP_AUDIT_STDERR.log]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIXABLE, UNREACHABLE = 1, 3


def last_error_line(log: Path | None) -> str:
    if log is None or not log.is_file():
        return ""
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def verdict(report_path: Path, log: Path | None) -> int:
    try:
        report = json.loads(report_path.read_text())
        dependencies = report["dependencies"]
    except (OSError, ValueError, KeyError, TypeError):
        print("NOT AUDITED: pip-audit wrote no report.", last_error_line(log))
        return UNREACHABLE
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    if not audited:
        reason = skipped[0]["skip_reason"] if skipped else "the lock lists no packages"
        print(f"NOT AUDITED: none of the {len(dependencies)} packages could be checked ({reason}).")
        if "not found on PyPI" in reason:
            print(
                "  PyPI's JSON API (https://pypi.org/pypi/<name>/<version>/json) did not answer; a proxy that"
            )
            print("  serves only the package index and files behaves like this.")
        return UNREACHABLE
    fixable: list[str] = []
    unfixed: list[str] = []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            aliases = ", ".join(vuln.get("aliases") or [])
            name = f"{dep['name']} {dep['version']}: {vuln['id']}" + (f" ({aliases})" if aliases else "")
            if vuln.get("fix_versions"):
                fixable.append(f"{name}, fixed in {', '.join(vuln['fix_versions'])}")
            else:
                unfixed.append(name)
    print(f"audited {len(audited)} of {len(dependencies)} locked packages")
    for name in (d["name"] for d in skipped):
        print(f"  not audited: {name}")
    for line in unfixed:
        print(f"  known, no fix released (see docs/reliability.md): {line}")
    for line in fixable:
        print(f"  VULNERABLE, fix available: {line}")
    if fixable:
        print("Update the lock: cd backend && uv lock --upgrade-package <name>, then run the tests.")
        return FIXABLE
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(verdict(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) == 3 else None))
