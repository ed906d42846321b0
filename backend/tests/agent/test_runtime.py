"""Turns through the real SDK and CLI against the scripted model: streaming, tools, warm reuse, resume."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from aigc.agent import AgentRuntime, RuntimeConfig, install_skills
from aigc.mock_model.testing import MockModelServer
from tests.agent.conftest import request_text, run

REPLY = "Paris is the capital of France."


async def test_text_turn_streams_deltas_and_reports_usage(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    model.set_script([{"user": "capital", "steps": [REPLY]}])
    turn = await run(runtime, make_request("text", "What is the capital of France?"))
    assert turn.status == "ok"
    assert turn.types[0] == "started"
    assert len(turn.of("text_delta")) > 1, "the reply must arrive in pieces"
    assert turn.text == REPLY
    usage = turn.of("usage")[0]
    assert usage["input_tokens"] > 0 and usage["output_tokens"] > 0
    assert usage["num_turns"] == 1 and usage["model"] == "claude-sonnet-4-5"
    assert usage["sdk_session_id"] == turn.of("done")[0]["sdk_session_id"] == runtime.sdk_session_id("text")


async def test_write_tool_creates_file_in_session_folder(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    model.set_script(
        [
            {
                "user": "save",
                "steps": [
                    {
                        "text": "Saving.",
                        "tool_use": {
                            "name": "Write",
                            "input": {"file_path": "{{cwd}}/poem.md", "content": "roses"},
                        },
                    },
                    "Saved.",
                ],
            }
        ]
    )
    req = make_request("write", "Please save a poem")
    turn = await run(runtime, req)
    assert turn.status == "ok"
    assert (req.cwd / "poem.md").read_text() == "roses"
    started, finished = turn.of("tool_started")[0], turn.of("tool_finished")[0]
    assert started["name"] == "Write" and "poem.md" in started["input_summary"]
    assert finished["tool_use_id"] == started["tool_use_id"] and finished["is_error"] is False
    assert turn.text == "Saving.Saved."


async def test_follow_up_on_warm_client_is_fast_and_keeps_context(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    first = await run(runtime, make_request("warm", "My favourite colour is ultramarine."))
    model.clear_requests()
    second = await run(runtime, make_request("warm", "Which colour did I name?"))
    assert first.status == second.status == "ok"
    assert first.of("started")[0]["warm"] is False and second.of("started")[0]["warm"] is True
    # A warm turn skips the ~0.4 s process start; against the local model it takes well under that.
    assert second.seconds < first.seconds and second.seconds < 0.35, (first.seconds, second.seconds)
    sent = request_text(model.requests()[0])
    assert "ultramarine" in sent and "offline demo model" in sent, "the first exchange must be in the context"
    # The CLI reports a running total per process; each usage event carries the turn's own cost.
    first_cost, second_cost = first.of("usage")[0]["cost_usd"], second.of("usage")[0]["cost_usd"]
    assert 0 < second_cost < 1.5 * first_cost


async def test_a_per_turn_budget_gives_each_turn_a_fresh_process(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    # The CLI's budget counts a process's whole spend, so a budgeted turn never runs on a warm process.
    first = await run(runtime, make_request("budget", "The code word is heron.", max_budget_usd=5.0))
    assert first.status == "ok" and "budget" not in runtime.cli_pids()
    model.clear_requests()
    second = await run(runtime, make_request("budget", "What was the code word?", max_budget_usd=5.0))
    assert second.status == "ok"
    assert second.of("started")[0] == {"type": "started", "warm": False, "resumed": True}
    assert "heron" in request_text(model.requests()[0])


async def test_idle_release_then_resume_keeps_context(
    config: RuntimeConfig, model: MockModelServer, make_request: Any
) -> None:
    rt = AgentRuntime(replace(config, idle_release=0.3, reaper_interval=0.1))
    try:
        assert (await run(rt, make_request("idle", "The code word is marmalade."))).status == "ok"
        pid = rt.cli_pids()["idle"]
        for _ in range(50):
            if rt.stats().warm_clients == 0 and not _alive(pid):
                break
            await asyncio.sleep(0.1)
        # The process leaves the pool at once and exits once the CLI has flushed its transcript.
        assert rt.stats().warm_clients == 0, "the idle agent must be released"
        assert not _alive(pid)
        model.clear_requests()
        turn = await run(rt, make_request("idle", "What was the code word?"))
        assert turn.status == "ok"
        assert turn.of("started")[0] == {"type": "started", "warm": False, "resumed": True}
        assert "marmalade" in request_text(model.requests()[0])
    finally:
        await rt.shutdown()


async def test_interrupt_stops_the_turn_and_the_session_goes_on(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    assert (await run(runtime, make_request("stop", "hello"))).status == "ok"  # warm up
    model.arm_fault("delay", count=1, seconds=10)
    events: list[str] = []

    async def consume() -> None:
        async for event in runtime.run_turn(make_request("stop", "Write me a long story")):
            events.append(event.type)
            if event.type == "started":
                started.set()

    started = asyncio.Event()
    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.sleep(0.2)
    assert await runtime.interrupt("stop") is True
    await asyncio.wait_for(task, 5)
    assert events[-1] == "done"
    assert "error" not in events
    after = await run(runtime, make_request("stop", "Are you still there?"))
    assert after.status == "ok"
    assert await runtime.interrupt("stop") is False, "nothing runs any more"


async def test_run_limit_queues_the_next_turn(
    config: RuntimeConfig, model: MockModelServer, make_request: Any
) -> None:
    rt = AgentRuntime(replace(config, max_concurrent_runs=1))
    try:
        slow = asyncio.create_task(run(rt, make_request("queue-a", "Slow please [[fault:delay:1.5]]")))
        await asyncio.sleep(0.8)  # the first turn holds the only slot
        assert rt.stats().active == 1
        busy = await run(rt, make_request("queue-a", "again"))
        assert busy.error_kind == "busy" and busy.status == "error"
        waiting = await run(rt, make_request("queue-b", "Me too"))
        first = await slow
        assert first.status == waiting.status == "ok", (first.of("error"), waiting.of("error"))
        assert waiting.types[:2] == ["queued", "started"]
        assert waiting.of("queued")[0]["position"] == 1
        assert rt.stats().queued == 0 and rt.stats().active == 0
    finally:
        await rt.shutdown()


async def test_installed_skill_is_listed_to_the_model(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    req = make_request("skills", "What can you do?", skills=["poster-maker"])
    skill_md = (
        "---\nname: poster-maker\ndescription: Designs event posters from a short brief.\n---\nUse A4.\n"
    )
    install_skills(req.cwd, [("poster-maker", {"SKILL.md": skill_md})])
    model.set_script(
        [
            {
                "user": "what can",
                "steps": [
                    {"tool_use": {"name": "Skill", "input": {"skill": "poster-maker"}}},
                    "I make posters.",
                ],
            }
        ]
    )
    turn = await run(runtime, req)
    assert turn.status == "ok"
    first = model.requests()[0]
    assert "poster-maker: Designs event posters from a short brief." in request_text(first)
    assert "Skill" in [tool["name"] for tool in first["tools"]]
    assert turn.of("tool_finished")[0]["is_error"] is False
    assert "Use A4." in request_text(model.requests()[1]), "the Skill tool loads the skill's body"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


async def test_caller_leaving_mid_turn_frees_slot_and_process(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    model.arm_fault("delay", count=1, seconds=1.0)
    events = runtime.run_turn(make_request("leaver", "I will hang up"))
    assert (await anext(events)).type == "started"
    pid = runtime.cli_pids()["leaver"]
    await events.aclose()  # what an SSE response does when the browser disconnects
    assert runtime.stats().active == 0
    assert "leaver" not in runtime.cli_pids() and not _alive(pid)
    model.state.faults.clear()
    assert (await run(runtime, make_request("leaver", "back again"))).status == "ok"
