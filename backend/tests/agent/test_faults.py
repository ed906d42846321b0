"""Endpoint and process failures end the turn in bounded time, and the session's next turn works."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from aigc.agent import AgentRuntime, RuntimeConfig
from aigc.mock_model.testing import MockModelServer
from tests.agent.conftest import ATTEMPTS, request_text, run


async def fail_then_recover(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, session: str, arm: Any
) -> tuple[Any, Any]:
    """A warm session, one turn under the armed fault, then a normal turn."""
    assert (await run(runtime, make_request(session, "hello"))).status == "ok"
    old_pid = runtime.cli_pids()[session]
    arm()
    failed = await run(runtime, make_request(session, "this one fails"))
    model.state.faults.clear()  # never let a fault leak into the next turn
    assert session not in runtime.cli_pids() or runtime.cli_pids()[session] != old_pid, "client discarded"
    recovered = await run(runtime, make_request(session, "and this one works"))
    return failed, recovered


@pytest.mark.parametrize(("status", "kind"), [("500", "model_error"), ("529", "model_error")])
async def test_error_status_ends_turn_with_error(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, status: str, kind: str
) -> None:
    failed, recovered = await fail_then_recover(
        runtime, model, make_request, f"status-{status}", lambda: model.arm_fault(status, count=ATTEMPTS)
    )
    assert_failed_then_recovered(failed, recovered, kind, model)


async def test_refused_credentials_end_turn_with_auth_error(
    config: RuntimeConfig, model: MockModelServer, make_request: Any
) -> None:
    """On a 401 the CLI asks the key helper again, about once a second, before it gives up: silence the
    2 s stall watchdog of these tests would take for a stall (the server's default is 90 s)."""
    runtime = AgentRuntime(replace(config, stall_timeout=10.0))
    try:
        failed, recovered = await fail_then_recover(
            runtime, model, make_request, "status-401", lambda: model.arm_fault("401", count=50)
        )
    finally:
        await runtime.shutdown()
    assert_failed_then_recovered(failed, recovered, "auth_error", model)


def assert_failed_then_recovered(failed: Any, recovered: Any, kind: str, model: MockModelServer) -> None:
    assert failed.status == "error" and failed.error_kind == kind
    assert failed.seconds < 8
    message = failed.of("error")[0]["message"]
    assert "model service" in message and "Traceback" not in message
    assert recovered.status == "ok"
    assert recovered.of("started")[0]["resumed"] is True
    assert "hello" in request_text(model.requests()[-1]), "the resumed agent still knows the conversation"


async def test_stalled_stream_is_abandoned(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    failed, recovered = await fail_then_recover(
        runtime, model, make_request, "stall", lambda: model.arm_fault("stall", count=1)
    )
    assert failed.error_kind == "stalled" and failed.status == "error"
    assert failed.seconds < 2.0 + 1.0 + 2.0  # stall timeout + interrupt grace + slack
    assert recovered.status == "ok"


async def test_no_first_byte_is_bounded(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    failed, recovered = await fail_then_recover(
        runtime, model, make_request, "silent", lambda: model.arm_fault("delay", count=5, seconds=30)
    )
    assert failed.status == "error" and failed.error_kind in ("stalled", "model_error")
    assert failed.seconds < 6
    assert recovered.status == "ok"


async def test_cut_stream_everywhere_ends_with_error(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    # Every streamed attempt and the CLI's non-streaming fallback are cut.
    failed, recovered = await fail_then_recover(
        runtime, model, make_request, "cut", lambda: model.arm_fault("cut", count=ATTEMPTS + 1)
    )
    assert failed.status == "error" and failed.error_kind == "model_error"
    assert failed.seconds < 8
    assert recovered.status == "ok"


async def test_one_cut_stream_is_replayed_without_doubled_text(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    poem = "Roses are red, violets are blue, the stream broke once and came back too."
    model.set_script([{"user": "poem", "steps": [poem]}])
    model.arm_fault("cut", count=1)
    turn = await run(runtime, make_request("replay", "a poem please"))
    assert turn.status == "ok"
    assert len(model.requests()) == 2, "the cut stream was retried"
    # Whether the first piece reached the CLI before the cut is a race; either way the shown text is right
    # (a delta that did arrive is withdrawn by a text_reset, see test_events.py).
    assert turn.text == poem


async def test_killed_agent_process_ends_turn(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    session = "killed"
    assert (await run(runtime, make_request(session, "hello"))).status == "ok"
    model.arm_fault("delay", count=1, seconds=1.5)
    events: list[Any] = []

    async def consume() -> None:
        async for event in runtime.run_turn(make_request(session, "this one dies")):
            events.append(event)

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.5)
    os.kill(runtime.cli_pids()[session], signal.SIGKILL)
    await asyncio.wait_for(task, 5)
    assert [e.type for e in events][-2:] == ["error", "done"]
    assert events[-2].to_dict()["kind"] == "agent_crashed"
    assert (await run(runtime, make_request(session, "still there?"))).status == "ok"


async def test_turn_timeout(config: RuntimeConfig, model: MockModelServer, make_request: Any) -> None:
    rt = AgentRuntime(replace(config, turn_timeout=1.0, stall_timeout=10))
    try:
        turn = await run(rt, make_request("timeout", "slow [[fault:delay:3]]"))
        assert turn.error_kind == "timeout" and turn.status == "error"
        assert turn.seconds < 1.0 + 1.0 + 2.0  # includes the process start
    finally:
        await rt.shutdown()


async def test_sandbox_unavailable_refuses_bash_turn(
    runtime: AgentRuntime, make_request: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("aigc.agent.runtime.sandbox_tools_available", lambda: "`bwrap` is missing")
    turn = await run(runtime, make_request("no-sandbox", "run ls", tools=["Read", "Bash"]))
    assert turn.types == ["error", "done"]
    assert turn.error_kind == "sandbox_unavailable" and turn.status == "error"
    assert "no-sandbox" not in runtime.cli_pids()


async def test_no_stray_agent_processes(
    runtime: AgentRuntime, config: RuntimeConfig, make_request: Any, agent_root: Path
) -> None:
    """After all the failures above, the only CLI children are the warm ones; after shutdown, none."""
    # Only agents working in this module's folders: the app of other test modules keeps its own warm ones.
    assert set(cli_children(under=agent_root)) == set(runtime.cli_pids().values())
    rt = AgentRuntime(config)
    assert (await run(rt, make_request("orphan-a", "hi"))).status == "ok"
    running = asyncio.create_task(run(rt, make_request("orphan-b", "slow [[fault:delay:5]]")))
    # Wait for the second agent to be up (its start takes longer when the machine is busy), not a fixed time.
    for _ in range(100):
        pids = set(rt.cli_pids().values())
        if len(pids) == 2:
            break
        await asyncio.sleep(0.05)
    assert len(pids) == 2
    await asyncio.wait_for(rt.shutdown(), 5)
    assert (await asyncio.wait_for(running, 2)).status == "stopped"
    assert rt.stats().warm_clients == 0
    assert not pids & set(cli_children())
    refused = await run(rt, make_request("orphan-a", "hi"))
    assert refused.error_kind == "shutting_down"


def cli_children(under: Path | None = None) -> list[int]:
    """Live (not zombie) child processes of this test process that run the bundled CLI (working in `under`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        state, ppid = fields[0], int(fields[1])
        if ppid == os.getpid() and state != "Z" and b"claude" in cmdline and _works_in(entry, under):
            found.append(int(entry.name))
    return found


def _works_in(process: Path, folder: Path | None) -> bool:
    if folder is None:
        return True
    try:
        return Path(os.readlink(process / "cwd")).is_relative_to(folder.resolve())
    except OSError:
        return False
