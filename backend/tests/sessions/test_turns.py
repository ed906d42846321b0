"""Agent turns through the real Claude Agent SDK and the scripted model: streaming, saving, artifacts, faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
import pathlib
from collections.abc import AsyncIterator
from datetime import datetime

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.db import session_scope
from aigc.mock_model.testing import MockModelServer
from aigc.sessions.models import ChatSession
from tests.factories import SignedIn, signed_in_user
from tests.sse import Event, of, parse, text_of

API = "/api/v1/sessions"


async def new_session(client: httpx.AsyncClient, user: SignedIn, **body: object) -> str:
    response = await client.post(API, json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def send(client: httpx.AsyncClient, user: SignedIn, session_id: str, content: str) -> list[Event]:
    response = await client.post(
        f"{API}/{session_id}/messages", json={"content": content}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse(response.text)


async def detail(client: httpx.AsyncClient, user: SignedIn, session_id: str) -> dict:
    return (await client.get(f"{API}/{session_id}", headers=user.headers)).json()


async def test_streamed_text_turn_is_saved_with_usage(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    events = await send(client, user, session_id, "Hello there, how are you today?")

    kinds = [e.event for e in events]
    assert kinds[0] == "accepted" and kinds[-1] == "done"
    assert "started" in kinds and kinds.count("text_delta") >= 2 and "usage" in kinds
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert events[-1].data["status"] == "ok"
    streamed = text_of(events)
    assert streamed

    saved = await detail(client, user, session_id)
    user_message, reply = saved["messages"]
    assert user_message["role"] == "user" and user_message["content"] == "Hello there, how are you today?"
    assert reply["role"] == "assistant" and reply["status"] == "ok" and reply["content"] == streamed
    assert reply["id"] == events[0].data["assistant_message_id"] == events[-1].data["message_id"]
    assert reply["input_tokens"] > 0 and reply["output_tokens"] > 0 and reply["duration_ms"] > 0
    assert reply["model"] == "claude-sonnet-4-5"
    assert saved["title"] == "Hello there, how are you today?" and saved["message_count"] == 2


async def test_a_turn_makes_its_session_the_most_recently_active(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    older = await new_session(client, user)
    newer = await new_session(client, user)
    before = await detail(client, user, older)
    await send(client, user, older, "Hello again")
    after = await detail(client, user, older)
    assert datetime.fromisoformat(after["updated_at"]) > datetime.fromisoformat(before["updated_at"])
    listed = (await client.get(API, headers=user.headers)).json()["items"]
    assert [s["id"] for s in listed][:2] == [older, newer]


async def test_the_scenario_prompt_and_user_instructions_reach_the_model(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    items = (
        await client.get("/api/v1/scenarios", params={"search": "translator"}, headers=user.headers)
    ).json()["items"]
    translator = items[0]
    await client.put(
        f"/api/v1/scenarios/{translator['id']}/config",
        json={"extra_instructions": "Always use British spelling."},
        headers=user.headers,
    )
    session_id = await new_session(client, user, scenario_id=translator["id"])
    await send(client, user, session_id, "Translate: 你好")
    body = json.dumps(model.requests()[-1], ensure_ascii=False)
    assert "professional Chinese-English translator" in body
    assert "Instructions from this user" in body and "Always use British spelling." in body


async def test_follow_up_turn_keeps_context(client: httpx.AsyncClient, model: MockModelServer) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    await send(client, user, session_id, "My favourite colour is teal.")
    model.clear_requests()
    events = await send(client, user, session_id, "What did I just tell you?")
    assert events[-1].data["status"] == "ok"
    assert "favourite colour is teal" in json.dumps(model.requests()[-1])
    assert (await detail(client, user, session_id))["message_count"] == 4


async def test_written_file_becomes_a_downloadable_artifact(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    events = await send(client, user, session_id, "Please write a report about our quarterly results")

    started = of(events, "tool_started")
    assert [t["name"] for t in started] == ["Write"] and "report.md" in started[0]["input_summary"]
    # Paths are shown relative to the session folder: no server layout, no user id.
    shown = json.dumps([started, of(events, "tool_finished")])
    assert str(user.user.id) not in shown and "/work_dir/" not in shown
    # Text resuming after the tool call starts a new paragraph instead of running on.
    assert "Markdown file.\n\nThe report is saved" in text_of(events)
    assert of(events, "tool_finished")[0]["is_error"] is False
    (artifact,) = of(events, "artifact")
    assert (
        artifact["path"] == "report.md" and artifact["mime_type"] == "text/markdown" and artifact["size"] > 0
    )
    assert [e.event for e in events].index("artifact") < [e.event for e in events].index("done")

    saved = await detail(client, user, session_id)
    assert saved["artifacts"][0]["id"] == artifact["id"]
    assert saved["messages"][1]["content"] == text_of(events)
    assert saved["messages"][1]["tool_calls"][0]["name"] == "Write"

    download = await client.get(f"/api/v1/artifacts/{artifact['id']}/download", headers=user.headers)
    assert download.status_code == 200
    assert download.text.startswith("# Report")
    assert (
        "attachment" in download.headers["content-disposition"]
        and "report.md" in download.headers["content-disposition"]
    )
    assert download.headers["x-content-type-options"] == "nosniff"
    import hashlib

    assert hashlib.sha256(download.content).hexdigest() == artifact["sha256"]
    preview = (await client.get(f"/api/v1/artifacts/{artifact['id']}/preview", headers=user.headers)).json()
    assert preview["kind"] == "markdown" and preview["text"] == download.text

    listed = (await client.get(f"{API}/{session_id}/artifacts", headers=user.headers)).json()
    assert listed["count"] == 1

    other = await signed_in_user(client)
    for suffix in ("download", "preview"):
        response = await client.get(f"/api/v1/artifacts/{artifact['id']}/{suffix}", headers=other.headers)
        assert response.status_code == 404


async def test_model_endpoint_failure_ends_the_turn_cleanly_and_the_next_turn_works(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    # Armed by count rather than by a marker: the CLI folds a failed prompt into the next one, and a marker
    # would follow it there. One retry is configured, so two failures end the turn.
    model.arm_fault("500", count=2)
    events = await send(client, user, session_id, "This will fail")
    assert events[-1].event == "done" and events[-1].data["status"] == "error"
    (error,) = of(events, "error")
    assert error["message"] and "detail" not in error

    saved = (await detail(client, user, session_id))["messages"][1]
    assert saved["status"] == "error" and saved["error"] == error["message"]

    recovered = await send(client, user, session_id, "And now a normal question")
    assert recovered[-1].data["status"] == "ok" and text_of(recovered)


async def test_second_message_while_running_is_refused(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    first = asyncio.create_task(send(client, user, session_id, "slow one [[fault:delay:2]]"))
    for _ in range(100):
        if (await detail(client, user, session_id))["is_running"]:
            break
        await asyncio.sleep(0.05)
    response = await client.post(
        f"{API}/{session_id}/messages", json={"content": "again"}, headers=user.headers
    )
    assert response.status_code == 409 and response.json()["code"] == "turn_running"
    assert (await first)[-1].data["status"] == "ok"


async def test_stop_ends_the_turn_as_stopped(client: httpx.AsyncClient, model: MockModelServer) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    turn = asyncio.create_task(send(client, user, session_id, "talk slowly [[fault:stall:15]]"))
    for _ in range(200):
        if model.requests():
            break
        await asyncio.sleep(0.05)
    stop = await client.post(f"{API}/{session_id}/stop", headers=user.headers)
    assert stop.status_code == 202
    events = await asyncio.wait_for(turn, timeout=20)
    assert events[-1].data["status"] == "stopped"
    assert (await detail(client, user, session_id))["messages"][1]["status"] == "stopped"
    assert (await client.post(f"{API}/{session_id}/stop", headers=user.headers)).status_code == 409
    assert (await send(client, user, session_id, "Are you there?"))[-1].data["status"] == "ok"


async def test_turn_survives_the_client_going_away_and_can_be_replayed(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    gone = asyncio.create_task(send(client, user, session_id, "A long answer please [[fault:delay:1]]"))
    for _ in range(100):
        if (await detail(client, user, session_id))["is_running"]:
            break
        await asyncio.sleep(0.05)
    gone.cancel()  # the browser tab closes

    replay = await client.get(f"{API}/{session_id}/stream", headers={**user.headers, "Last-Event-ID": "1"})
    assert replay.status_code == 200
    events = parse(replay.text)
    assert events[0].id == 2 and events[-1].event == "done" and events[-1].data["status"] == "ok"
    saved = (await detail(client, user, session_id))["messages"][1]
    assert saved["status"] == "ok" and saved["content"] == text_of(events)

    everything = parse((await client.get(f"{API}/{session_id}/stream", headers=user.headers)).text)
    assert everything[0].event == "accepted" and len(everything) == len(events) + 1


async def test_stream_with_nothing_to_attach_to_is_empty(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    response = await client.get(f"{API}/{session_id}/stream", headers=user.headers)
    assert response.status_code == 200 and parse(response.text) == []


async def test_deleting_a_session_removes_its_files_and_artifacts(
    client: httpx.AsyncClient, model: MockModelServer, settings
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    events = await send(client, user, session_id, "Please write a report about deletion")
    (artifact,) = of(events, "artifact")
    folder = settings.work_dir / str(user.user.id) / session_id
    assert (folder / "report.md").is_file()
    await asyncio.sleep(0.2)  # let the background upload land
    assert (await client.delete(f"{API}/{session_id}", headers=user.headers)).status_code == 204
    assert not folder.exists()
    assert (
        await client.get(f"/api/v1/artifacts/{artifact['id']}/download", headers=user.headers)
    ).status_code == 404
    assert not (settings.data_dir / "artifacts" / str(user.user.id) / session_id).exists()


async def test_finished_streams_are_dropped_when_new_turns_start(
    client: httpx.AsyncClient, model: MockModelServer, app, monkeypatch
) -> None:
    from aigc.sessions import turns as turns_module

    user = await signed_in_user(client)
    first = await new_session(client, user)
    await send(client, user, first, "Hello")
    assert uuid_key(first) in app.state.turns._streams  # kept a while for late re-attaching
    monkeypatch.setattr(turns_module, "FINISHED_STREAM_RETENTION_SECONDS", 0.0)
    second = await new_session(client, user)
    await send(client, user, second, "Hello again")
    assert uuid_key(first) not in app.state.turns._streams


def uuid_key(session_id: str):
    import uuid

    return uuid.UUID(session_id)


@contextlib.asynccontextmanager
async def saving_blocked(session_id: str) -> AsyncIterator[AsyncSession]:
    """Hold the write lock the turn's save needs (SQLite's database lock, PostgreSQL's row lock on the session)."""
    async with session_scope() as db:
        query = select(ChatSession).where(ChatSession.id == uuid_key(session_id)).with_for_update()
        assert (await db.exec(query)).one() is not None
        yield db


async def requested(model: MockModelServer, timeout: float = 15.0) -> bool:
    for _ in range(int(timeout / 0.05)):
        if model.requests():
            return True
        await asyncio.sleep(0.05)
    return False


async def test_the_agent_starts_while_the_message_is_being_saved(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    async with saving_blocked(session_id):
        turn = asyncio.create_task(send(client, user, session_id, "Hello while the database is busy"))
        assert await requested(model), "the agent did not reach the model while the message was being saved"
        await asyncio.sleep(0.3)
        assert not turn.done()  # nothing is streamed before the message is saved
    events = await asyncio.wait_for(turn, 20)
    assert [e.event for e in events][:2] == ["accepted", "started"] and events[-1].data["status"] == "ok"
    user_message, reply = (await detail(client, user, session_id))["messages"]
    assert user_message["content"] == "Hello while the database is busy"
    assert reply["id"] == events[0].data["assistant_message_id"] and reply["content"] == text_of(events)


async def test_a_message_that_cannot_be_saved_stops_the_agent(
    client: httpx.AsyncClient, model: MockModelServer, app
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    async with saving_blocked(session_id) as db:
        turn = asyncio.create_task(
            client.post(
                f"{API}/{session_id}/messages",
                json={"content": "slow [[fault:delay:3]]"},
                headers=user.headers,
            )
        )
        assert await requested(model)
        pid = app.state.turns.runtime.cli_pids()[session_id]
        await db.delete(await db.get(ChatSession, uuid_key(session_id)))  # deleted in another tab meanwhile
    response = await asyncio.wait_for(turn, 10)
    assert response.status_code == 409 and response.json()["code"] == "session_gone"
    runtime = app.state.turns.runtime
    for _ in range(100):  # the agent is stopped in the background, just after the answer
        if session_id not in runtime.cli_pids():
            break
        await asyncio.sleep(0.05)
    assert session_id not in runtime.cli_pids() and runtime.stats().active == 0
    assert not app.state.turns.is_running(uuid_key(session_id))
    assert not pathlib.Path(f"/proc/{pid}").exists() or "(Z)" in _state_of(pid)


def _state_of(pid: int) -> str:
    try:
        return "(" + pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] + ")"
    except OSError:
        return "(gone)"
