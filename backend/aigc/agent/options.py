"""What a turn asks for (TurnRequest) and the SDK options that confine it."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from claude_agent_sdk import ClaudeAgentOptions, HookMatcher, SessionStore
from claude_agent_sdk.types import SystemPromptPreset

from aigc.agent.attachments import AttachedFile
from aigc.agent.permissions import SessionGuard
from aigc.agent.sandbox import ShellLimits

logger = logging.getLogger(__name__)

# Built-in tools a scenario may list. Anything else (Agent, NotebookEdit, MCP tools, ...) is never offered.
KNOWN_TOOLS = (
    "Read",
    "Write",
    "Edit",
    "MultiEdit",
    "Glob",
    "Grep",
    "Skill",
    "TodoWrite",
    "Bash",
    "WebFetch",
    "WebSearch",
)
# Tools that reach beyond the session folder; offered only when the host can sandbox shell commands.
SANDBOXED_TOOLS = frozenset({"Bash", "WebFetch", "WebSearch"})
# How the CLI names the tools of an MCP server: mcp__<server>__<tool>.
MCP_PREFIX = "mcp__"


@dataclass(frozen=True)
class McpServerSpec:
    """One MCP server a turn's agent may use, and which of its tools (empty: all of them)."""

    name: str
    # The SDK's McpStdioServerConfig, McpHttpServerConfig or McpSSEServerConfig, secrets included.
    config: dict[str, Any]
    tools: tuple[str, ...] = ()

    def allow_rules(self) -> list[str]:
        """Permission rules for the CLI: every tool of the server, or each listed one."""
        if not self.tools:
            return [f"{MCP_PREFIX}{self.name}"]
        return [f"{MCP_PREFIX}{self.name}__{tool}" for tool in self.tools]


@dataclass
class TurnRequest:
    """One user message for one chat session, with the scenario's settings."""

    session_key: str
    cwd: Path
    prompt: str
    model: str
    system_prompt: str = ""
    # "append": the CLI's own prompt (tool-use rules, environment) plus the scenario's text; "replace": only
    # the scenario's text. Append is the default: scenarios describe a task, not how Read/Write/Skill work.
    system_prompt_mode: Literal["append", "replace"] = "append"
    tools: list[str] = field(default_factory=lambda: ["Read", "Write", "Edit", "Glob", "Grep"])
    skills: list[str] = field(default_factory=list)
    max_turns: int | None = None
    max_budget_usd: float | None = None
    resume: str | None = None
    # Files the user attached to this message, already in the session folder (images go to the model too).
    attachments: list[AttachedFile] = field(default_factory=list)
    # Limits of this session's shell commands; None: the runtime's defaults (settings).
    shell_limits: ShellLimits | None = None
    # The scenario's MCP servers (started by the CLI as the server's user, outside the shell sandbox).
    mcp_servers: list[McpServerSpec] = field(default_factory=list)

    def mcp_rules(self) -> list[str]:
        """allowed_tools rules for the MCP tools of this turn (`mcp__server` or `mcp__server__tool`)."""
        return [rule for server in self.mcp_servers for rule in server.allow_rules()]

    def effective_tools(self) -> list[str]:
        """The scenario's tools that exist, plus Skill when skills are installed, in a stable order."""
        wanted = set(self.tools) | ({"Skill"} if self.skills else set())
        unknown = wanted - set(KNOWN_TOOLS)
        if unknown:
            logger.warning("ignoring unknown agent tools %s", sorted(unknown))
        return [tool for tool in KNOWN_TOOLS if tool in wanted]

    def needs_sandbox(self) -> bool:
        """Whether a listed tool can reach outside the session folder by itself."""
        return bool(SANDBOXED_TOOLS & set(self.tools))

    def fingerprint(self) -> tuple[object, ...]:
        """What a warm agent process was started with; a turn asking for something else needs a new one."""
        return (
            str(self.cwd),
            self.model,
            self.system_prompt,
            self.system_prompt_mode,
            tuple(self.effective_tools()),
            tuple(self.skills),
            self.max_turns,
            self.max_budget_usd,
            self.shell_limits,
            tuple(self.mcp_servers),
        )


@dataclass(frozen=True)
class ProcessSettings:
    """Per-deployment values every agent process gets."""

    cli_path: Path
    # A script printing the model key (settings `apiKeyHelper`); the key never goes into the environment.
    api_key_helper: Path | None
    base_url: str | None
    max_retries: int
    request_timeout_ms: int
    default_max_turns: int
    # CLAUDE_CONFIG_DIR of the CLI. The SDK maps the transcript files the CLI mirrors to store keys relative
    # to it, so it must be in options.env, not only in the wrapper.
    config_dir: Path | None = None
    mcp_tool_timeout_ms: int = 60_000
    mcp_startup_timeout_ms: int = 30_000


def build_options(
    req: TurnRequest,
    process: ProcessSettings,
    guard: SessionGuard,
    resume: str | None,
    stderr: Callable[[str], None] | None = None,
    shell_prefix: str | None = None,
    session_store: SessionStore | None = None,
    mcp_config: Path | None = None,
) -> ClaudeAgentOptions:
    """ClaudeAgentOptions with every confinement the platform relies on (see docs in the agent notes).

    `mcp_config` is a file holding `{"mcpServers": ...}` for the request's MCP servers: given inline, the SDK
    would put their secrets on the CLI's command line, which every local user can read in /proc.
    """
    tools = req.effective_tools()
    env = {
        "CLAUDE_CODE_MAX_RETRIES": str(process.max_retries),
        "API_TIMEOUT_MS": str(process.request_timeout_ms),
    }
    if process.base_url:
        env["ANTHROPIC_BASE_URL"] = process.base_url
    if process.config_dir is not None:
        env["CLAUDE_CONFIG_DIR"] = str(process.config_dir)
    if req.mcp_servers:
        # Measured: a tool call past MCP_TOOL_TIMEOUT ends as an error result and the turn goes on.
        env["MCP_TOOL_TIMEOUT"] = str(process.mcp_tool_timeout_ms)
        env["MCP_TIMEOUT"] = str(process.mcp_startup_timeout_ms)
    if shell_prefix is not None:
        # Every Bash command runs through the platform's launcher (aigc/agent/shell_launcher.py).
        env["CLAUDE_CODE_SHELL_PREFIX"] = shell_prefix
    return ClaudeAgentOptions(
        cwd=str(req.cwd),
        cli_path=str(process.cli_path),
        env=env,
        model=req.model,
        system_prompt=_system_prompt(req),
        # `tools` is the only list that removes a tool; bare names in allowed_tools would be global allows.
        tools=tools,
        disallowed_tools=[tool for tool in SANDBOXED_TOOLS if tool not in tools],
        # MCP rules name a server or one of its tools, never a path: allowing them globally is the point.
        allowed_tools=req.mcp_rules(),
        permission_mode="acceptEdits",
        # No user/local settings: nothing outside what the platform writes may change the rules. Installed
        # skills are only listed when the project layer is read (measured: `skills=[...]` alone is not
        # enough); the platform writes nothing else under <cwd>/.claude and the agent may not write there.
        setting_sources=["project"] if req.skills else [],
        skills=list(req.skills),
        settings=json.dumps(_flag_settings(process.api_key_helper)),
        # The CLI's own sandbox stays off: the launcher's bwrap profile is an allow-list and starts no
        # socat proxy per agent (docs/architecture.md, "Shell sandbox").
        sandbox=None,
        # Only the scenario's servers: none from user, project or plugin configuration.
        mcp_servers=str(mcp_config) if mcp_config is not None and req.mcp_servers else {},
        strict_mcp_config=True,
        # `@/etc/passwd` in the user's text must reach the model as text, never as the file.
        verbatim_prompts=True,
        can_use_tool=guard.can_use_tool,
        hooks={"PreToolUse": [HookMatcher(matcher=None, hooks=[guard.pre_tool_use], on_failure="block")]},
        include_partial_messages=True,
        max_turns=req.max_turns or process.default_max_turns,
        max_budget_usd=req.max_budget_usd,
        resume=resume,
        # Transcripts mirrored to the platform database, so any worker can resume any session. Batched: one
        # append per turn, awaited before the result reaches the turn, never during the streamed answer.
        session_store=session_store,
        session_store_flush="batched",
        stderr=stderr,
    )


def _system_prompt(req: TurnRequest) -> str | SystemPromptPreset:
    if req.system_prompt_mode == "replace":
        return req.system_prompt
    preset: SystemPromptPreset = {"type": "preset", "preset": "claude_code"}
    if req.system_prompt:
        preset["append"] = req.system_prompt
    return preset


def _flag_settings(api_key_helper: Path | None) -> dict[str, object]:
    """Highest-priority settings layer: the CLI's own refusal of anything outside the working folder, the key helper."""
    settings: dict[str, object] = {
        "permissions": {
            "blockReadsOutsideWorkingDirectories": True,
            "blockWritesOutsideWorkingDirectories": True,
        },
    }
    if api_key_helper is not None:
        settings["apiKeyHelper"] = str(api_key_helper)
    return settings


def mcp_config_document(servers: list[McpServerSpec]) -> str:
    """The `--mcp-config` file's JSON for a turn's MCP servers."""
    return json.dumps({"mcpServers": {server.name: server.config for server in servers}})
