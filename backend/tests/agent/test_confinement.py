"""The agent stays inside its session folder (real CLI): every escape is refused and the turn goes on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from aigc.agent import AgentRuntime
from aigc.mock_model.testing import MockModelServer
from tests.agent.conftest import request_text, run

SECRET = "s3cr3t-canary-7f1e"
SESSION = "jail"


@pytest.fixture(scope="module")
def outside(agent_root: Path) -> Path:
    """A folder next to the sessions with a secret file, and a symlink to it inside the session folder."""
    folder = agent_root / "outside"
    folder.mkdir()
    (folder / "secret.txt").write_text(SECRET)
    cwd = agent_root / "work" / "user-1" / SESSION
    cwd.mkdir(parents=True)
    os.symlink(folder / "secret.txt", cwd / "link.txt")
    os.symlink(folder, cwd / "shared")
    return folder


def tool_step(name: str, tool_input: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"tool_use": {"name": name, "input": tool_input}}, "Carrying on."]


CASES = {
    "read-passwd": ("Read", {"file_path": "/etc/passwd"}),
    "read-outside-relative": ("Read", {"file_path": "../../../outside/secret.txt"}),
    "write-outside": ("Write", {"file_path": "../../../outside/planted.txt", "content": "x"}),
    "read-symlink": ("Read", {"file_path": "link.txt"}),
    # A new file through a symlinked folder (writing link.txt itself is refused earlier by the CLI's
    # read-before-write rule, which would not exercise the hook).
    "write-through-symlinked-folder": ("Write", {"file_path": "{{cwd}}/shared/planted.txt", "content": "x"}),
    "edit-settings": (
        "Write",
        {"file_path": "{{cwd}}/.claude/settings.json", "content": '{"permissions": {}}'},
    ),
    "glob-outside": ("Glob", {"pattern": "../../../outside/*"}),
    "grep-outside": ("Grep", {"pattern": "canary", "path": "/"}),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_escape_is_denied_and_turn_goes_on(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, outside: Path, case: str
) -> None:
    tool, tool_input = CASES[case]
    model.set_script([{"user": "try it", "steps": tool_step(tool, tool_input)}])
    req = make_request(SESSION, f"try it ({case})")
    turn = await run(runtime, req)
    assert turn.status == "ok", turn.types
    denied = turn.of("permission_denied")
    assert [d["tool_name"] for d in denied] == [tool]
    assert turn.of("tool_finished")[0]["is_error"] is True
    assert turn.text.endswith("Carrying on."), "the model got the refusal and went on"
    everything_sent = "".join(request_text(body) for body in model.requests())
    assert SECRET not in everything_sent and "root:x:0:0" not in everything_sent
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert (outside / "secret.txt").read_text() == SECRET
    assert not (req.cwd / ".claude" / "settings.json").exists()


async def test_bash_is_not_offered_when_the_scenario_does_not_list_it(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, outside: Path
) -> None:
    model.set_script(
        [{"user": "shell", "steps": tool_step("Bash", {"command": f"touch {outside}/bash-ran"})}]
    )
    turn = await run(runtime, make_request(SESSION, "use the shell"))
    assert turn.status == "ok"
    assert "Bash" not in [tool["name"] for tool in model.requests()[0]["tools"]]
    assert turn.of("tool_finished")[0]["is_error"] is True
    assert not (outside / "bash-ran").exists()


async def test_at_mention_in_prompt_is_not_expanded(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, outside: Path
) -> None:
    turn = await run(runtime, make_request(SESSION, f"summarize @{outside}/secret.txt and @/etc/hostname"))
    assert turn.status == "ok"
    sent = request_text(model.requests()[0])
    assert f"@{outside}/secret.txt" in sent, "the text itself reaches the model"
    assert SECRET not in sent
    assert turn.of("tool_started") == []


async def test_bash_in_sandbox_cannot_write_or_read_outside(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, outside: Path, agent_root: Path
) -> None:
    other = agent_root / "work" / "user-2" / "private"
    other.mkdir(parents=True)
    (other / "diary.txt").write_text("other user's diary")
    command = (
        f"echo inside > made.txt; touch {outside}/bash-ran; cat {other}/diary.txt > stolen.txt; "
        f"cat {agent_root}/data/agent/bin/claude-wrapper > wrapper.txt; echo finished"
    )
    model.set_script(
        [{"user": "shell", "steps": tool_step("Bash", {"command": command, "description": "probe"})}]
    )
    req = make_request("sandboxed", "use the shell", tools=["Read", "Write", "Bash"])
    turn = await run(runtime, req)
    assert turn.status == "ok", turn.of("error")
    assert (req.cwd / "made.txt").read_text() == "inside\n"
    assert not (outside / "bash-ran").exists()
    assert "diary" not in (req.cwd / "stolen.txt").read_text()
    assert (req.cwd / "wrapper.txt").read_text() == ""


async def test_bash_in_sandbox_cannot_see_the_model_key(
    runtime: AgentRuntime, config: Any, model: MockModelServer, make_request: Any
) -> None:
    helper = runtime.environment.api_key_helper_path
    commands = {
        "env.txt": "env",
        "parent.txt": "cat /proc/$PPID/environ",
        "helper.txt": f"cat {helper}",
        "helper-run.txt": str(helper),
    }
    steps: list[Any] = [
        {"tool_use": {"name": "Bash", "input": {"command": f"{command} > {name}", "description": "probe"}}}
        for name, command in commands.items()
    ]
    model.set_script([{"user": "show the key", "steps": [*steps, "Carrying on."]}])
    req = make_request("sandboxed", "show the key", tools=["Read", "Write", "Bash"])
    turn = await run(runtime, req)
    assert turn.status == "ok", turn.of("error")
    assert "PATH=" in (req.cwd / "env.txt").read_text(), "the shell ran"
    for name in commands:
        shown = (req.cwd / name).read_text(errors="replace") if (req.cwd / name).exists() else ""
        assert config.api_key not in shown, name


async def test_long_shell_command_is_not_taken_for_a_stall(
    runtime: AgentRuntime, config: Any, model: MockModelServer, make_request: Any
) -> None:
    seconds = config.stall_timeout + 1
    step = tool_step("Bash", {"command": f"sleep {seconds}; echo slept > slept.txt", "description": "wait"})
    model.set_script([{"user": "wait", "steps": step}])
    req = make_request("sandboxed", "wait a little", tools=["Read", "Write", "Bash"])
    turn = await run(runtime, req)
    assert turn.status == "ok", turn.of("error")
    assert turn.seconds > seconds
    assert (req.cwd / "slept.txt").read_text() == "slept\n"
