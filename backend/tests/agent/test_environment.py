"""The agent CLI runs with an allow-listed environment: nothing of the server process reaches it."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from aigc.agent import AgentRuntime, RuntimeConfig
from aigc.agent.environment import FIXED_VARIABLES, FORWARDED_VARIABLES, AgentEnvironment
from aigc.mock_model import MockModelServer
from aigc.mock_model.app import key_fingerprint
from tests.agent.conftest import run

CANARY = "canary-value-4b1d"
EXPECTED_EXTRA = {"HOME", "CLAUDE_CONFIG_DIR", "CLAUDE_CODE_TMPDIR", "TMPDIR"}


def environ_of(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)


async def test_cli_environment_is_an_allow_list(
    runtime: AgentRuntime, config: RuntimeConfig, make_request: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIGC_TEST_CANARY", CANARY)
    monkeypatch.setenv("MINIO_SECRET_KEY", CANARY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "the-server-key-must-not-win")
    assert (await run(runtime, make_request("env", "hello"))).status == "ok"
    env = environ_of(runtime.cli_pids()["env"])
    assert CANARY not in "".join(f"{k}={v}" for k, v in env.items())
    for name in ("AIGC_TEST_CANARY", "MINIO_SECRET_KEY", "JWT_SECRET_KEY", "DATABASE_URL", "DATA_DIR"):
        assert name not in env
    assert set(env) <= set(FIXED_VARIABLES) | set(FORWARDED_VARIABLES) | EXPECTED_EXTRA
    assert env["HOME"] == str(config.data_dir / "agent" / "home")
    assert env["CLAUDE_CONFIG_DIR"] == str(config.data_dir / "agent" / "claude-config")
    # The key is not in the environment (shell commands would inherit it); the CLI asks the helper for it.
    assert "ANTHROPIC_API_KEY" not in env and env["ANTHROPIC_BASE_URL"] == config.base_url
    assert env["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] == "1"
    assert env["CLAUDE_CODE_MAX_RETRIES"] == str(config.max_retries)


def test_wrapper_holds_no_secret(config: RuntimeConfig, runtime: AgentRuntime) -> None:
    script = runtime.environment.wrapper_path.read_text()
    assert script.startswith("#!/bin/sh") and "env -i" in script
    assert config.api_key is not None and config.api_key not in script


async def test_the_model_gets_the_key_from_an_owner_only_helper(
    runtime: AgentRuntime, config: RuntimeConfig, make_request: Any, model: MockModelServer
) -> None:
    assert (await run(runtime, make_request("key", "hello"))).status == "ok"
    sent = [r["headers"]["x-api-key"] for r in model.request_log() if r["path"] == "/v1/messages"]
    assert sent and set(sent) == {key_fingerprint(config.api_key or "")}
    helper = runtime.environment.api_key_helper_path
    assert stat.S_IMODE(helper.stat().st_mode) == 0o700
    assert (
        subprocess.run([helper], capture_output=True, text=True, check=True).stdout == f"{config.api_key}\n"
    )


def test_a_key_with_quotes_survives_the_helper_and_no_key_removes_it(tmp_path: Path) -> None:
    environment = AgentEnvironment(tmp_path / "agent")
    tricky = "sk-'quoted' $(touch pwned) \\ %s"
    environment.prepare(cli_path=Path("/bin/true"), api_key=tricky)
    helper = environment.api_key_helper_path
    assert (
        subprocess.run([helper], capture_output=True, text=True, check=True, cwd=tmp_path).stdout
        == tricky + "\n"
    )
    assert not (tmp_path / "pwned").exists()
    environment.prepare(cli_path=Path("/bin/true"), api_key=None)
    assert not helper.exists()
