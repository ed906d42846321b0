"""The `aigc` command run as a real process: migrations, admin creation, config, and serve with real HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

BACKEND = Path(__file__).resolve().parents[1]
AIGC = str(Path(sys.executable).with_name("aigc"))


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """A private SQLite database and folders, so the command never touches the shared test database."""
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        DATA_DIR=str(tmp_path / "data"),
        LOG_DIR=str(tmp_path / "logs"),
        WORK_DIR=str(tmp_path / "work"),
        MINIO_SECRET_KEY="minio-secret-value-123",
    )
    return env


def run(env: dict[str, str], *args: str, cwd: Path = BACKEND) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AIGC, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


def test_version() -> None:
    assert run(os.environ.copy(), "version").stdout.strip()


def test_bad_setting_is_one_line_and_exit_2(cli_env: dict[str, str]) -> None:
    result = run({**cli_env, "PORT": "eighty"}, "config")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "Configuration error: Invalid setting PORT: Input should be a valid integer, unable to parse string as an "
        "integer (got 'eighty')"
    ]


def test_config_masks_secrets(cli_env: dict[str, str]) -> None:
    result = run(cli_env, "config")
    assert result.returncode == 0
    assert "JWT_SECRET_KEY=******" in result.stdout and "MINIO_SECRET_KEY=******" in result.stdout
    assert (
        "ANTHROPIC_API_KEY=(not set)" in result.stdout
    )  # scripts/start.sh relies on this to start the demo model
    assert cli_env["JWT_SECRET_KEY"] not in result.stdout and "minio-secret-value-123" not in result.stdout


def test_migrate_create_admin_and_serve(cli_env: dict[str, str], tmp_path: Path) -> None:
    refused = run(cli_env, "serve", "--port", "1")
    assert refused.returncode == 1 and "aigc db upgrade" in refused.stderr

    init = subprocess.run(
        [sys.executable, "-m", "aigc.migrations.init_database"],
        env=cli_env,
        cwd=BACKEND,
        capture_output=True,
        text=True,
    )
    assert init.returncode == 0, init.stderr
    assert "up to date" in run(cli_env, "db", "current").stdout
    assert "0001" in run(cli_env, "db", "history").stdout

    created = run(cli_env, "create-admin", "--username", "root1", "--password", "admin-password-1")
    assert created.returncode == 0 and "Created administrator 'root1'" in created.stdout
    promoted = run(cli_env, "create-admin", "--username", "root1")
    assert "Promoted" in promoted.stdout

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [AIGC, "serve", "--port", str(port)],
        env=cli_env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        login = httpx.post(
            f"{base}/api/v1/auth/login", data={"username": "root1", "password": "admin-password-1"}
        )
        assert login.status_code == 200
        me = httpx.get(
            f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
        assert me.json()["role"] == "admin"
        health = run(cli_env, "health", "--url", base)
        assert health.returncode == 0 and '"db": "ok"' in health.stdout
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert (Path(cli_env["LOG_DIR"]) / "backend.log").exists()
    unreachable = run(cli_env, "health", "--url", base)
    assert unreachable.returncode == 1 and "No server answering" in unreachable.stderr


def test_downgrade_command(cli_env: dict[str, str]) -> None:
    assert run(cli_env, "db", "upgrade").returncode == 0
    result = run(cli_env, "db", "downgrade", "base")
    assert result.returncode == 0 and "revision base" in result.stdout


def test_serve_refuses_a_busy_port_before_starting_anything(cli_env: dict[str, str]) -> None:
    assert run(cli_env, "db", "upgrade").returncode == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(cli_env, "serve", "--port", str(port))
    assert result.returncode == 1 and f"Port {port}" in result.stderr and "already in use" in result.stderr
