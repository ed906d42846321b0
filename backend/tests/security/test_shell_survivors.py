"""Nothing an agent starts outlives it: stop, release, shutdown, a killed server, and the start-up sweep."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from aigc.agent import AgentRuntime, TurnRequest
from aigc.agent.processes import AgentRecord, ProcessBook, start_time
from aigc.mock_model.testing import MockModelServer
from tests.security.shell_sandbox import BASH, MODEL, make_config, run_commands, wait_until_gone


@pytest.fixture
async def runtime(tmp_path: Path, model: MockModelServer) -> AsyncIterator[AgentRuntime]:
    rt = AgentRuntime(make_config(tmp_path, model))
    yield rt
    await rt.shutdown()


def long_command(model: MockModelServer, tag: str) -> None:
    """Script a turn whose one command says it started, then sleeps (with children) for a long time."""
    command = f"echo started > started.txt; sleep {tag} & setsid sleep {tag} & sleep {tag}"
    step = {"tool_use": {"name": "Bash", "input": {"command": command, "description": "wait"}}}
    model.set_script([{"user": "wait", "steps": [step, "Done."]}])


async def wait_for_file(path: Path, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < end, f"{path} never appeared"
        await asyncio.sleep(0.05)


def tag_now() -> str:
    return str(4000 + secrets.randbelow(5000))


async def test_stopping_a_turn_ends_its_running_command(
    runtime: AgentRuntime, model: MockModelServer, tmp_path: Path
) -> None:
    tag, cwd = tag_now(), tmp_path / "work" / "stop"
    long_command(model, tag)
    req = TurnRequest(session_key="stop", cwd=cwd, prompt="wait", model=MODEL, tools=BASH)
    task = asyncio.create_task(_drain(runtime, req))
    await wait_for_file(cwd / "started.txt")
    assert await runtime.interrupt("stop") is True
    await asyncio.wait_for(task, 15)
    assert wait_until_gone(f"sleep {tag}") == []


async def test_release_ends_the_agent_its_records_and_cgroups(
    runtime: AgentRuntime, model: MockModelServer, tmp_path: Path
) -> None:
    turn = await run_commands(runtime, model, tmp_path / "work" / "release", ["echo hi > hi.txt"], "release")
    assert turn.file("hi.txt") == "hi\n"
    pid = runtime.cli_pids()["release"]
    records = list(runtime.processes.root.glob("agent-*.json"))
    assert len(records) == 1
    record = AgentRecord(**json.loads(records[0].read_text()))
    assert record.pid == pid and record.start == start_time(pid)
    assert os.getpgid(pid) == pid, "the CLI leads its own process group"
    assert await runtime.release("release") is True
    assert start_time(pid) is None, "the CLI is gone"
    assert not records[0].exists()
    assert all(not Path(group).exists() for group in record.cgroups)


async def test_shutdown_ends_running_commands(tmp_path: Path, model: MockModelServer) -> None:
    rt = AgentRuntime(make_config(tmp_path, model))
    tag, cwd = tag_now(), tmp_path / "work" / "shutdown"
    long_command(model, tag)
    req = TurnRequest(session_key="shutdown", cwd=cwd, prompt="wait", model=MODEL, tools=BASH)
    task = asyncio.create_task(_drain(rt, req))
    await wait_for_file(cwd / "started.txt")
    await rt.shutdown()
    await asyncio.wait_for(task, 15)
    assert wait_until_gone(f"sleep {tag}") == []
    assert list(rt.processes.root.glob("agent-*.json")) == []


SERVER = """
import asyncio, sys
from pathlib import Path
from aigc.agent import AgentRuntime, TurnRequest
from aigc.mock_model.testing import MockModelServer
from tests.security.shell_sandbox import BASH, MODEL, make_config

class Model:
    url = sys.argv[2]

async def main():
    rt = AgentRuntime(make_config(Path(sys.argv[1]), Model()))
    req = TurnRequest(session_key="crash", cwd=Path(sys.argv[1]) / "work" / "crash", prompt="wait",
                      model=MODEL, tools=BASH)
    async for _ in rt.run_turn(req):
        pass

asyncio.run(main())
"""


async def test_a_killed_server_leaves_nothing_running_and_the_next_one_sweeps(
    tmp_path: Path, model: MockModelServer
) -> None:
    tag, cwd = tag_now(), tmp_path / "work" / "crash"
    long_command(model, tag)
    backend = Path(__file__).resolve().parents[2]
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVER, str(tmp_path), model.url, cwd=backend
    )
    try:
        await wait_for_file(cwd / "started.txt", 60)
        book = ProcessBook(tmp_path / "data" / "agent" / "run")
        (record_file,) = book.root.glob("agent-*.json")
        record = AgentRecord(**json.loads(record_file.read_text()))
        server.send_signal(signal.SIGKILL)
        await asyncio.wait_for(server.wait(), 10)
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
    # PDEATHSIG: the CLI dies with the server, the launcher with the CLI, the sandbox with the launcher.
    assert wait_until_gone(f"sleep {tag}") == []
    assert start_time(record.pid) is None
    assert record_file.exists(), "a crash leaves its record behind"
    await AgentRuntime(make_config(tmp_path, model)).shutdown()  # its start-up sweep is the point
    assert not record_file.exists()
    assert all(not Path(group).exists() for group in record.cgroups)


def test_sweep_ends_only_what_a_dead_server_recorded(tmp_path: Path) -> None:
    book = ProcessBook(tmp_path / "run")
    dead_owner = subprocess.Popen(["true"])
    dead_owner.wait()
    orphan = subprocess.Popen(["sleep", "600"], start_new_session=True)
    live = subprocess.Popen(["sleep", "601"], start_new_session=True)
    try:
        for token, child, owner in (("orphan", orphan, dead_owner.pid), ("live", live, os.getpid())):
            book.open(
                AgentRecord(
                    token=token,
                    pid=child.pid,
                    start=start_time(child.pid) or 0,
                    owner_pid=owner,
                    owner_start=start_time(owner) or 1,
                )
            )
        # A record whose pid now belongs to another process (start time differs) is never killed.
        book.open(AgentRecord(token="reused", pid=live.pid, start=1, owner_pid=dead_owner.pid, owner_start=1))
        assert book.sweep() == 1
        assert orphan.wait(5) == -signal.SIGKILL
        assert live.poll() is None
        assert sorted(p.name for p in book.root.glob("agent-*.json")) == ["agent-live.json"]
    finally:
        for child in (orphan, live):
            child.kill()
            child.wait()


async def _drain(runtime: AgentRuntime, req: TurnRequest) -> None:
    async for _ in runtime.run_turn(req):
        pass
