"""The process environment of the agent CLI: a wrapper that starts it under `env -i` with an allow-list.

The model key is not in that environment: shell commands an agent runs (Bash, inside the OS sandbox)
inherit the CLI's environment and could print it. The CLI gets the key from an `apiKeyHelper` script
under the data folder instead, which sandboxed commands may not read.
"""

from __future__ import annotations

import os
import secrets
import shlex
from dataclasses import dataclass
from pathlib import Path

import claude_agent_sdk

from aigc.agent.sandbox import bwrap_works

# Variables the wrapper copies from the environment the SDK gives it; everything else is dropped.
# The SDK sets the CLAUDE_AGENT_SDK_* / CLAUDE_CODE_ENTRYPOINT ones itself, the runtime sets the others
# through ClaudeAgentOptions.env. Nothing of the server process (JWT_SECRET_KEY, DATABASE_URL, MINIO_*,
# the real HOME, ...) is on this list.
FORWARDED_VARIABLES = (
    "ANTHROPIC_BASE_URL",
    "API_TIMEOUT_MS",
    "CLAUDE_CODE_MAX_RETRIES",
    "CLAUDE_CODE_ENTRYPOINT",
    "CLAUDE_CODE_SDK_READS_SESSION_STATE",
    "CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING",
    "CLAUDE_AGENT_SDK_VERSION",
    "CLAUDE_AGENT_SDK_CLIENT_APP",
    # Per agent process (options.env): the platform's shell launcher with that agent's profile.
    "CLAUDE_CODE_SHELL_PREFIX",
    # Per agent process: the runtime passes the platform's config folder, which the SDK swaps for a
    # temporary one when it resumes from the transcript store (the fixed value below is the fallback).
    "CLAUDE_CONFIG_DIR",
    # Per agent process: how long the CLI waits for an MCP server to start and for one MCP tool call.
    "MCP_TIMEOUT",
    "MCP_TOOL_TIMEOUT",
)
# Fixed values: no telemetry, no auto-update, no outbound traffic except the model endpoint.
FIXED_VARIABLES = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_BUG_COMMAND": "1",
    # No `run_in_background` for Bash (measured: the parameter is refused); nothing outlives its turn.
    "CLAUDE_CODE_DISABLE_BACKGROUND_TASKS": "1",
}
# The CLI leads its own process group (so it and what stays in its group end together) and gets SIGKILL
# when the server process dies, however it dies. util-linux; the wrapper goes without them if missing.
SESSION_LEADER = ("/usr/bin/setsid",)
DIE_WITH_SERVER = ("/usr/bin/setpriv", "--pdeathsig", "KILL")


@dataclass(frozen=True)
class AgentEnvironment:
    """The folders under data_dir/agent that the agent CLI may use, and its wrapper script."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def config_dir(self) -> Path:
        """CLAUDE_CONFIG_DIR: transcripts (needed to resume), CLI config, caches."""
        return self.root / "claude-config"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def wrapper_path(self) -> Path:
        return self.root / "bin" / "claude-wrapper"

    @property
    def api_key_helper_path(self) -> Path:
        """The script that prints the model key for the CLI (settings `apiKeyHelper`)."""
        return self.root / "bin" / "api-key-helper"

    def prepare(self, cli_path: Path | None = None, api_key: str | None = None) -> Path:
        """Create the folders and (re)write the wrapper and the key helper; return the wrapper's path."""
        for folder in (self.home, self.config_dir, self.tmp_dir, self.wrapper_path.parent):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        _write_script(self.wrapper_path, render_wrapper(cli_path or bundled_cli_path(), self))
        if api_key:
            _write_script(self.api_key_helper_path, f"#!/bin/sh\nprintf '%s\\n' {shlex.quote(api_key)}\n")
        else:
            self.api_key_helper_path.unlink(missing_ok=True)
        return self.wrapper_path

    def transcript_exists(self, sdk_session_id: str) -> bool:
        """Whether the CLI kept a transcript of that session, so `resume` can work."""
        projects = self.config_dir / "projects"
        return any(projects.glob(f"*/{sdk_session_id}.jsonl")) if projects.is_dir() else False


def _write_script(path: Path, text: str) -> None:
    """Owner-only from the first byte, and renamed into place: a CLI starting meanwhile never sees half a script."""
    staging = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")  # unique: workers share the folder
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o700)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(text)
    os.replace(staging, path)


def bundled_cli_path() -> Path:
    """The Claude Code binary shipped inside the claude_agent_sdk wheel."""
    path = Path(claude_agent_sdk.__file__).parent / "_bundled" / "claude"
    if not path.is_file():
        raise FileNotFoundError(f"the claude_agent_sdk wheel has no bundled CLI at {path}")
    return path


def render_wrapper(cli_path: Path, env: AgentEnvironment) -> str:
    """A POSIX sh script that execs the CLI with an empty environment plus the allow-list."""
    fixed = {
        **FIXED_VARIABLES,
        "HOME": str(env.home),
        "CLAUDE_CONFIG_DIR": str(env.config_dir),
        "CLAUDE_CODE_TMPDIR": str(env.tmp_dir),
        "TMPDIR": str(env.tmp_dir),
    }
    lines = [
        "#!/bin/sh",
        "# Written by aigc.agent.environment; rewritten at every start, do not edit.",
        "exec " + " ".join(_available(SESSION_LEADER) + _available(DIE_WITH_SERVER)) + " /usr/bin/env -i \\",
    ]
    lines += [f"  {shlex.quote(f'{name}={value}')} \\" for name, value in fixed.items()]
    # `${X:+"X=$X"}` adds the assignment only when X is set and not empty, so an unset value stays unset.
    lines += [f'  ${{{name}:+"{name}=${name}"}} \\' for name in FORWARDED_VARIABLES]
    lines.append(f'  {shlex.quote(str(cli_path))} "$@"')
    return "\n".join(lines) + "\n"


def _available(command: tuple[str, ...]) -> list[str]:
    return list(command) if os.access(command[0], os.X_OK) else []


def sandbox_tools_available() -> str | None:
    """None when shell commands can be sandboxed here; otherwise what is missing, in words."""
    return bwrap_works()
