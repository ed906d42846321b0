"""scripts/audit_verdict.py: CI fails on a vulnerability with a fix, lists one without, and says loudly when
nothing could be audited (pip-audit alone reports "No known vulnerabilities found" then)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "audit_verdict.py"


def run(tmp_path: Path, report: dict | None, log: str = "") -> subprocess.CompletedProcess[str]:
    report_path = tmp_path / "report.json"
    if report is not None:
        report_path.write_text(json.dumps(report))
    log_path = tmp_path / "pip-audit.log"
    log_path.write_text(log)
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(report_path), str(log_path)],
        capture_output=True,
        text=True,
        timeout=30,
    )


def dep(name: str, version: str, *vulns: dict) -> dict:
    return {"name": name, "version": version, "vulns": list(vulns)}


MINERVA = {"id": "GHSA-wj6h-64fc-37mp", "fix_versions": [], "aliases": ["CVE-2024-23342"], "description": ""}
JWT_BOMB = {
    "id": "PYSEC-2024-233",
    "fix_versions": ["3.4.0"],
    "aliases": ["CVE-2024-33664"],
    "description": "",
}


def test_clean_report_passes(tmp_path: Path) -> None:
    result = run(tmp_path, {"dependencies": [dep("fastapi", "0.165.0"), dep("ecdsa", "0.19.2")]})
    assert result.returncode == 0, result.stdout
    assert "audited 2 of 2 locked packages" in result.stdout


def test_vulnerability_with_a_fix_fails_and_names_it(tmp_path: Path) -> None:
    result = run(tmp_path, {"dependencies": [dep("python-jose", "3.3.0", JWT_BOMB), dep("six", "1.17.0")]})
    assert result.returncode == 1
    assert (
        "VULNERABLE, fix available: python-jose 3.3.0: PYSEC-2024-233 (CVE-2024-33664), fixed in 3.4.0"
        in (result.stdout)
    )
    assert "uv lock --upgrade-package" in result.stdout


def test_vulnerability_without_a_fix_is_listed_not_fatal(tmp_path: Path) -> None:
    result = run(tmp_path, {"dependencies": [dep("ecdsa", "0.19.2", MINERVA)]})
    assert result.returncode == 0
    assert (
        "known, no fix released (see docs/reliability.md): ecdsa 0.19.2: GHSA-wj6h-64fc-37mp" in result.stdout
    )


def test_every_package_skipped_is_not_a_pass(tmp_path: Path) -> None:
    skipped = {
        "name": "aiosqlite",
        "version": "0.22.1",
        "skip_reason": "Dependency not found on PyPI and could not be audited: aiosqlite (0.22.1)",
    }
    result = run(tmp_path, {"dependencies": [skipped], "fixes": []})
    assert result.returncode == 3
    assert "NOT AUDITED: none of the 1 packages could be checked" in result.stdout
    assert "PyPI's JSON API" in result.stdout


def test_some_packages_skipped_are_named(tmp_path: Path) -> None:
    skipped = {"name": "private-pkg", "version": "1.0", "skip_reason": "Dependency not found on PyPI"}
    result = run(tmp_path, {"dependencies": [dep("six", "1.17.0"), skipped]})
    assert result.returncode == 0
    assert "audited 1 of 2 locked packages" in result.stdout
    assert "not audited: private-pkg" in result.stdout


def test_no_report_means_the_service_was_unreachable(tmp_path: Path) -> None:
    log = "Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: api.osv.dev unreachable\n"
    result = run(tmp_path, None, log)
    assert result.returncode == 3
    assert "NOT AUDITED: pip-audit wrote no report. requests.exceptions.ConnectionError" in result.stdout
    assert "Traceback" not in result.stdout
