"""Nothing an agent starts outlives it: stop, release, shutdown, a killed server, and the start-up sweep."""

from __future__ import annotations

import asyncio
import contextlib
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
from aigc.agent.processes import AgentRecord, ProcessBook, kill_group, start_time
from aigc.agent.sandbox import remove_empty_bases
from aigc.mock_model.testing import MockModelServer
from tests.security.shell_sandbox import (
    BASH,
    MODEL,
    agent_record,
    assert_contained,
    cgroups_in_force,
    make_config,
    run_commands,
    wait_until_gone,
)


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
    record = agent_record(runtime.processes, runtime.cli_pids()["stop"])
    assert_contained(runtime.processes, record, cgroups_in_force(runtime.config.data_dir))
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
    support = cgroups_in_force(runtime.config.data_dir)
    assert sorted(record.cgroups) == sorted({str(base / record.token) for base in support.bases.values()})
    assert all(Path(group).is_dir() for group in record.cgroups)
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
    assert_contained(rt.processes, agent_record(rt.processes), cgroups_in_force(rt.config.data_dir))
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
        # The server probed cgroups in its own process; the same host gives this one the same answer.
        assert_contained(book, record, cgroups_in_force(tmp_path / "data"))
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


def test_closing_an_agent_kills_what_is_left_of_the_clis_group(tmp_path: Path) -> None:
    """The CLI is reaped by the SDK before the book ends the agent: its group's members must go too."""
    book = ProcessBook(tmp_path / "run")
    tag = tag_now()
    cli = subprocess.Popen(
        ["sh", "-c", f"sleep {tag} & echo $!; exec sleep 600"],
        start_new_session=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert cli.stdout is not None
    member = int(cli.stdout.readline())
    record = AgentRecord(token="closed", pid=cli.pid, start=start_time(cli.pid) or 0)
    book.open(record)
    cli.kill()
    cli.wait()  # as the SDK's disconnect does: the leader is gone, its pid free of it
    try:
        assert start_time(member) is not None, "the member outlived its leader"
        assert book.end(record, cli_just_ended=True) == 1
        assert wait_until_gone(f"sleep {tag}") == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def test_a_reused_leader_pid_is_never_signalled(tmp_path: Path) -> None:
    other = subprocess.Popen(["sleep", "602"], start_new_session=True)
    try:
        # Recorded with another start time: the number now names an unrelated process.
        assert kill_group(other.pid, other.pid, 1, leader_just_ended=True) is False
        assert other.poll() is None
    finally:
        other.kill()
        other.wait()


async def test_the_first_sandbox_probe_does_not_block_other_sessions(
    tmp_path: Path, model: MockModelServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe starts bwrap; on a loaded host that takes long, and the event loop serves every stream."""
    folder = tmp_path / "slow-bin"
    folder.mkdir()
    (folder / "bwrap").write_text('#!/bin/sh\nsleep 1\nexec /usr/bin/bwrap "$@"\n')
    (folder / "bwrap").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    rt = AgentRuntime(make_config(tmp_path, model))
    gaps: list[float] = []

    async def tick() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.05)  # ticking before the turn starts
    try:
        model.set_script([{"user": "hi", "steps": ["Hello."]}])
        req = TurnRequest(
            session_key="probe", cwd=tmp_path / "work" / "probe", prompt="hi", model=MODEL, tools=BASH
        )
        events = [e async for e in rt.run_turn(req)]
    finally:
        ticker.cancel()
        await rt.shutdown()
    assert events[-1].to_dict()["status"] == "ok", events
    assert max(gaps) < 0.5, f"the event loop stalled for {max(gaps):.2f} s"


def test_this_host_limits_commands_with_cgroups(tmp_path: Path) -> None:
    """Says which mechanism the survivor tests above proved: cgroups and process groups, or groups alone."""
    support = cgroups_in_force(tmp_path / "data")
    try:
        if not support.bases:
            pytest.skip(
                "no cgroup this server may create children in (v1 controllers or a v2 subtree): the survivor "
                "tests proved process groups, pid namespaces and PDEATHSIG only, and limits are rlimits"
            )
        assert support.version in (1, 2)
        assert "pids" in support.bases and "memory" in support.bases, support
    finally:
        remove_empty_bases(support)
