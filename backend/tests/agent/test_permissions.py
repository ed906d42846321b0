"""SessionGuard decisions, without a CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from claude_agent_sdk import PermissionResultAllow, PermissionResultDeny, ToolPermissionContext

from aigc.agent.permissions import Denial, SessionGuard

TOOLS = ["Read", "Write", "Edit", "Glob", "Grep", "WebFetch"]


@pytest.fixture
def session(tmp_path: Path) -> Path:
    root = tmp_path / "session"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("secret")
    os.symlink(tmp_path / "outside.txt", root / "link.txt")
    os.symlink(tmp_path, root / "escape-dir")
    return root


@pytest.mark.parametrize(
    ("tool", "tool_input"),
    [
        ("Read", {"file_path": "notes.md"}),
        ("Read", {"file_path": "{root}/sub/a.txt"}),
        ("Write", {"file_path": "{root}/new/file.txt", "content": "x"}),
        ("Edit", {"file_path": "sub/../a.txt", "old_string": "a", "new_string": "b"}),
        ("Glob", {"pattern": "**/*.md"}),
        ("Glob", {"pattern": "*.md", "path": "{root}/sub"}),
        ("Grep", {"pattern": "../etc/passwd", "path": "sub"}),  # Grep's pattern is a regex, not a path
        ("Read", {"file_path": "{root}/.claude/skills/x/SKILL.md"}),
    ],
)
def test_allows_paths_inside(session: Path, tool: str, tool_input: dict[str, str]) -> None:
    guard = SessionGuard(session, TOOLS)
    filled = {k: v.replace("{root}", str(session)) for k, v in tool_input.items()}
    assert guard.check(tool, filled) is None


@pytest.mark.parametrize(
    ("tool", "tool_input", "words"),
    [
        ("Read", {"file_path": "/etc/passwd"}, "only files inside"),
        ("Read", {"file_path": "../outside.txt"}, "only files inside"),
        ("Read", {"file_path": "~/.ssh/id_rsa"}, "only files inside"),
        ("Read", {"file_path": "link.txt"}, "only files inside"),
        ("Write", {"file_path": "escape-dir/planted.txt", "content": "x"}, "only files inside"),
        ("Glob", {"pattern": "../**/*"}, "only files inside"),
        ("Glob", {"pattern": "/etc/*.conf"}, "only files inside"),
        ("Glob", {"pattern": "*", "path": "/"}, "only files inside"),
        ("Grep", {"pattern": "root", "path": "/etc"}, "only files inside"),
        ("Grep", {"pattern": "root", "glob": "../../**"}, "only files inside"),
        ("Write", {"file_path": ".claude/settings.json", "content": "{}"}, ".claude folder"),
        (
            "Edit",
            {"file_path": "{root}/.claude/skills/x/SKILL.md", "old_string": "a", "new_string": "b"},
            ".claude folder",
        ),
        ("Bash", {"command": "ls"}, "not available"),
    ],
)
def test_denies(session: Path, tool: str, tool_input: dict[str, str], words: str) -> None:
    guard = SessionGuard(session, TOOLS)
    filled = {k: v.replace("{root}", str(session)) for k, v in tool_input.items()}
    reason = guard.check(tool, filled)
    assert reason is not None and words in reason


async def test_hook_denies_and_reports(session: Path) -> None:
    denials: list[Denial] = []
    guard = SessionGuard(session, TOOLS, on_denied=denials.append)
    hook_input = {
        "hook_event_name": "PreToolUse",
        "tool_name": "Read",
        "tool_input": {"file_path": "/etc/passwd"},
        "tool_use_id": "t1",
        "session_id": "s",
        "transcript_path": "",
        "cwd": str(session),
    }
    output = await guard.pre_tool_use(hook_input, "t1", {"signal": None})  # type: ignore[arg-type]
    assert output["hookSpecificOutput"]["permissionDecision"] == "deny"  # type: ignore[typeddict-item]
    assert denials == [Denial("t1", "Read", denials[0].reason)]
    allowed = await guard.pre_tool_use(
        {**hook_input, "tool_input": {"file_path": "a.txt"}},
        "t2",  # type: ignore[arg-type]
        {"signal": None},
    )
    assert allowed == {}


async def test_can_use_tool_denies_by_default_but_lets_listed_web_tools_through(session: Path) -> None:
    guard = SessionGuard(session, TOOLS)
    context = ToolPermissionContext(tool_use_id="t1")
    assert isinstance(
        await guard.can_use_tool("Write", {"file_path": "a.txt"}, context), PermissionResultDeny
    )
    assert isinstance(
        await guard.can_use_tool("WebFetch", {"url": "https://x"}, context), PermissionResultAllow
    )
    no_web = SessionGuard(session, ["Read"])
    assert isinstance(
        await no_web.can_use_tool("WebFetch", {"url": "https://x"}, context), PermissionResultDeny
    )
