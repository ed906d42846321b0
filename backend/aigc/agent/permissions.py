"""Keep an agent inside its session folder: a PreToolUse hook and a can_use_tool callback."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claude_agent_sdk import HookContext, PermissionResultAllow, PermissionResultDeny, ToolPermissionContext
from claude_agent_sdk.types import HookInput, HookJSONOutput, PermissionResult

logger = logging.getLogger(__name__)

# Tool-input keys that hold a file or folder path, across the built-in tools.
PATH_KEYS = ("file_path", "path", "notebook_path", "directory", "dir", "cwd")
# Keys that hold a glob whose fixed leading part is a path.
GLOB_KEYS = ("pattern", "glob")
# Tools whose `pattern` is a glob over files (Grep's `pattern` is a regex over contents, not a path).
GLOB_PATTERN_TOOLS = {"Glob"}
WRITE_TOOLS = {"Write", "Edit", "MultiEdit", "NotebookEdit"}
# Tools that may run when the scenario lists them although the CLI's own rules would ask a person.
# They carry no path. Bash joins them only when its commands run in the platform's sandbox.
ASKING_TOOLS_ALLOWED_WHEN_LISTED = {"WebFetch", "WebSearch"}
GLOB_CHARS = set("*?[{")
# What the CLI asks when a sandboxed command tries to reach a host that is not allowed.
SANDBOX_NETWORK_REQUEST = "SandboxNetworkAccess"
# The CLI's names of MCP tools: mcp__<server>__<tool>.
MCP_PREFIX = "mcp__"


@dataclass(frozen=True)
class Denial:
    """One refused tool call, reported to the turn that caused it."""

    tool_use_id: str
    tool_name: str
    reason: str


class SessionGuard:
    """Path rules of one session folder; hands out the hook and callback the SDK options take."""

    def __init__(
        self,
        root: Path,
        allowed_tools: Iterable[str],
        on_denied: Callable[[Denial], None] | None = None,
        shell_sandboxed: bool = False,
        mcp_rules: Iterable[str] = (),
    ) -> None:
        self.root = os.path.realpath(root)
        self.settings_dir = os.path.join(self.root, ".claude")
        self.allowed_tools = frozenset(allowed_tools)
        # `mcp__server` (every tool of that server) or `mcp__server__tool` (that tool only).
        self.mcp_rules = frozenset(mcp_rules)
        self.on_denied = on_denied
        self.allowed_when_asked = ASKING_TOOLS_ALLOWED_WHEN_LISTED | ({"Bash"} if shell_sandboxed else set())

    # --- decisions (plain functions, tested without a CLI)
    def check(self, tool_name: str, tool_input: dict[str, Any]) -> str | None:
        """None when the call may go on, else the reason it is refused (shown to the model)."""
        if tool_name.startswith(MCP_PREFIX):
            # An MCP tool runs in its server, not in the session folder: its arguments are not local paths.
            return None if self._mcp_allowed(tool_name) else self._unavailable(tool_name)
        if tool_name not in self.allowed_tools:
            return self._unavailable(tool_name)
        for raw in self._paths_of(tool_name, tool_input):
            resolved = self._resolve(raw)
            if not self._inside(resolved):
                return f"Access to {raw} is denied: only files inside the session folder can be used."
            if tool_name in WRITE_TOOLS and self._inside(resolved, self.settings_dir):
                return f"Writing {raw} is denied: the .claude folder is managed by the platform."
        return None

    def _mcp_allowed(self, tool_name: str) -> bool:
        server = tool_name[len(MCP_PREFIX) :].split("__", 1)[0]
        return tool_name in self.mcp_rules or f"{MCP_PREFIX}{server}" in self.mcp_rules

    @staticmethod
    def _unavailable(tool_name: str) -> str:
        return f"The tool {tool_name} is not available in this scenario."

    def _paths_of(self, tool_name: str, tool_input: dict[str, Any]) -> list[str]:
        paths = [value for key in PATH_KEYS if isinstance(value := tool_input.get(key), str) and value]
        base = tool_input.get("path") if isinstance(tool_input.get("path"), str) else None
        for key in GLOB_KEYS:
            if key == "pattern" and tool_name not in GLOB_PATTERN_TOOLS:
                continue
            value = tool_input.get(key)
            if isinstance(value, str) and value:
                paths.append(_glob_root(value, base))
        # MultiEdit and friends may nest paths in lists of edits.
        for item in tool_input.get("edits") or []:
            if isinstance(item, dict) and isinstance(item.get("file_path"), str):
                paths.append(item["file_path"])
        return paths

    def _resolve(self, raw: str) -> str:
        expanded = os.path.expanduser(raw) if raw.startswith("~") else raw
        joined = expanded if os.path.isabs(expanded) else os.path.join(self.root, expanded)
        # realpath follows every symlink that exists, so a link inside the folder pointing out is caught.
        return os.path.realpath(joined)

    def _inside(self, resolved: str, folder: str | None = None) -> bool:
        folder = folder or self.root
        return resolved == folder or resolved.startswith(folder + os.sep)

    # --- SDK adapters
    async def pre_tool_use(
        self, hook_input: HookInput, tool_use_id: str | None, context: HookContext
    ) -> HookJSONOutput:
        """PreToolUse hook (matcher None): runs for every tool call, before any permission rule."""
        tool_name = str(hook_input.get("tool_name", ""))
        tool_input = hook_input.get("tool_input") or {}
        reason = self.check(tool_name, tool_input if isinstance(tool_input, dict) else {})
        if reason is None:
            # No opinion: the CLI's own rules (acceptEdits, can_use_tool) still apply.
            return {}
        self._report(tool_use_id or str(hook_input.get("tool_use_id", "")), tool_name, reason)
        return {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
            }
        }

    async def can_use_tool(
        self, tool_name: str, tool_input: dict[str, Any], context: ToolPermissionContext
    ) -> PermissionResult:
        """Called for what the CLI would ask a person about; there is no person, so deny by default."""
        if tool_name == SANDBOX_NETWORK_REQUEST:
            reason: str | None = "Shell commands have no network access on this platform."
        else:
            reason = self.check(tool_name, tool_input)
            if reason is None and (tool_name in self.allowed_when_asked or tool_name.startswith(MCP_PREFIX)):
                return PermissionResultAllow()
        reason = reason or f"{tool_name} needs an approval that this platform does not give."
        self._report(context.tool_use_id or "", tool_name, reason)
        return PermissionResultDeny(message=reason)

    def _report(self, tool_use_id: str, tool_name: str, reason: str) -> None:
        logger.info("agent tool call denied: %s %s", tool_name, reason)
        if self.on_denied is not None:
            self.on_denied(Denial(tool_use_id=tool_use_id, tool_name=tool_name, reason=reason))


def _glob_root(pattern: str, base: str | None) -> str:
    """The fixed leading folder of a glob, joined to its base: `../x/*.md` -> `<base>/../x`."""
    parts = Path(pattern).parts
    fixed: list[str] = []
    for part in parts:
        if GLOB_CHARS & set(part):
            break
        fixed.append(part)
    leading = os.path.join(*fixed) if fixed else "."
    if os.path.isabs(leading) or not base:
        return leading
    return os.path.join(base, leading)
