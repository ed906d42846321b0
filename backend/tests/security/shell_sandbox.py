"""Helpers for the shell sandbox suite: a runtime with Bash, scripted commands, and a survivor check."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aigc.agent import AgentRuntime, RuntimeConfig, TurnRequest
from aigc.agent.events import AgentEvent
from aigc.agent.processes import AgentRecord, ProcessBook
from aigc.agent.sandbox import CgroupSupport, ShellLimits, cgroup_support, instance_id
from aigc.mock_model.testing import MockModelServer

MODEL = "claude-sonnet-4-5"
BASH = ["Read", "Write", "Bash"]


def make_config(root: Path, model: MockModelServer, **changes: Any) -> RuntimeConfig:
    """A runtime config whose data, work and database folders all sit under `root`."""
    config = RuntimeConfig(
        data_dir=root / "data",
        api_key="sk-test-not-a-real-key",
        base_url=model.url,
        max_concurrent_runs=4,
        turn_timeout=60,
        stall_timeout=20,
        idle_release=300,
        interrupt_grace=1.0,
        max_retries=0,
        request_timeout_ms=5000,
        sandbox_deny_read=(root / "work",),
        shell_limits=ShellLimits(cpu_seconds=20, memory_mb=256, max_processes=64, output_mb=8, disk_mb=32),
    )
    return replace(config, **changes)


@dataclass
class ShellTurn:
    """Events of one turn and the session folder it ran in."""

    events: list[AgentEvent]
    cwd: Path

    @property
    def status(self) -> str:
        return str(self.events[-1].to_dict()["status"])

    def results(self) -> list[dict[str, Any]]:
        return [e.to_dict() for e in self.events if e.type == "tool_finished"]

    def file(self, name: str) -> str:
        """What a command wrote into the session folder ("" when it wrote nothing)."""
        path = self.cwd / name
        return path.read_text(errors="replace") if path.exists() else ""


async def run_commands(
    runtime: AgentRuntime,
    model: MockModelServer,
    cwd: Path,
    commands: list[str],
    session: str = "shell",
    timeout_ms: int | None = None,
    **request: Any,
) -> ShellTurn:
    """One turn in which the scripted model runs each command with Bash, then says it is done."""
    steps: list[Any] = []
    for command in commands:
        tool_input: dict[str, Any] = {"command": command, "description": "probe"}
        if timeout_ms is not None:
            tool_input["timeout"] = timeout_ms
        steps.append({"tool_use": {"name": "Bash", "input": tool_input}})
    model.set_script([{"user": "run", "steps": [*steps, "Done."]}])
    req = TurnRequest(session_key=session, cwd=cwd, prompt="run the commands", model=MODEL, tools=BASH)
    events = [event async for event in runtime.run_turn(replace(req, **request))]
    return ShellTurn(events, cwd)


def processes_with(marker: str) -> list[str]:
    """Live (not zombie) processes whose command line contains `marker`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            cmdline = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and state != "Z":
            found.append(f"{name}: {cmdline}")
    return found


def wait_until_gone(marker: str, seconds: float = 5.0) -> list[str]:
    """Processes with `marker` still alive after `seconds` (a killed tree takes a moment to go)."""
    end = time.monotonic() + seconds
    while (left := processes_with(marker)) and time.monotonic() < end:
        time.sleep(0.05)
    return left


def cgroups_in_force(data_dir: Path) -> CgroupSupport:
    """What the runtime of that deployment limits commands with (the probe is cached per process)."""
    return cgroup_support(instance_id(data_dir))


def agent_record(book: ProcessBook, pid: int | None = None) -> AgentRecord:
    """The record of the agent whose CLI has that pid (the only one when pid is None)."""
    records = [AgentRecord(**json.loads(p.read_text())) for p in book.root.glob("agent-*.json")]
    found = [r for r in records if pid is None or r.pid == pid]
    assert len(found) == 1, records
    return found[0]


def assert_contained(book: ProcessBook, record: AgentRecord, support: CgroupSupport) -> None:
    """The running command is held by every mechanism in force: its recorded group and the agent's cgroups.

    Without cgroups a survivor test would still pass through the process groups alone; this says which
    mechanism it proved.
    """
    commands = [json.loads(p.read_text()) for p in book.commands_dir(record.token).glob("cmd-*.json")]
    assert commands, "the running command's process group is recorded"
    for command in commands:
        assert os.getpgid(command["pid"]) == command["pgid"] == command["pid"]
    assert sorted(record.cgroups) == sorted({str(base / record.token) for base in support.bases.values()})
    for group in record.cgroups:
        procs = (Path(group) / "cgroup.procs").read_text().split()
        assert all(str(command["pid"]) in procs for command in commands), group
