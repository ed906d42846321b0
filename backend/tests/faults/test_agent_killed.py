"""The agent process killed with SIGKILL in the middle of a turn, through the platform: the turn ends as an
error with a message a person understands, the message is saved that way, and the next turn works."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import httpx
from fastapi import FastAPI

from aigc.mock_model.testing import MockModelServer
from tests.factories import signed_in_user
from tests.sse import of, parse, text_of

API = "/api/v1/sessions"


async def test_killed_agent_ends_the_turn_as_an_error_and_the_next_turn_works(
    app: FastAPI, client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    session_id = (await client.post(API, json={}, headers=user.headers)).json()["id"]
    runtime = app.state.turns.runtime

    async def send(content: str) -> list:
        response = await client.post(
            f"{API}/{session_id}/messages", json={"content": content}, headers=user.headers
        )
        assert response.status_code == 200, response.text
        return parse(response.text)

    turn = asyncio.create_task(send("a long answer please [[fault:stall:15]]"))
    for _ in range(400):  # the agent is up and its request is stalled at the model
        if model.requests() and session_id in runtime.cli_pids():
            break
        await asyncio.sleep(0.05)
    pid = runtime.cli_pids()[session_id]
    os.kill(pid, signal.SIGKILL)
    killed_at = time.monotonic()
    events = await asyncio.wait_for(turn, timeout=30)
    ended_after = time.monotonic() - killed_at

    assert events[-1].event == "done" and events[-1].data["status"] == "error"
    (error,) = of(events, "error")
    assert error["message"] and "Traceback" not in error["message"] and "detail" not in error
    detail = (await client.get(f"{API}/{session_id}", headers=user.headers)).json()
    saved = detail["messages"][1]
    assert saved["status"] == "error" and saved["error"] == events[-1].data["error"]
    assert not detail["is_running"]
    print(f"\nagent killed: turn ended {ended_after:.2f} s later with: {error['message']!r}")

    recovered = await send("Are you still there?")
    assert recovered[-1].data["status"] == "ok" and text_of(recovered)
    assert runtime.cli_pids().get(session_id) not in (None, pid), "a fresh agent process answered"
