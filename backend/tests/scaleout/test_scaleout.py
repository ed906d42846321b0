"""Scale-out with real processes: turns stream from any replica, stop reaches the worker, warm follow-ups go
to the worker holding the agent, and killed workers, killed replicas and a lost Redis end turns cleanly."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from common import API, BENCH_USER  # bench/common.py
from topology import ScaledPlatform  # bench/topology.py

CHUNK = "Scale-out answer streamed in small pieces. "
LONG_REPLY = CHUNK * 30  # about 110 chunks at 30 ms: a few seconds, long enough to kill something mid-turn
QUICK_REPLY = "Quick reply."

SCRIPT = {
    "rules": [
        {"name": "long", "user": r"^long", "steps": [LONG_REPLY]},
        {"name": "quick", "steps": [QUICK_REPLY]},
    ]
}

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
async def client(topology: ScaledPlatform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0)) as http:
        response = await http.post(
            f"{topology.urls[0]}{API}/auth/login",
            data={"username": BENCH_USER, "password": topology.password},
        )
        response.raise_for_status()
        http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        (await http.put(f"{topology.mock_url}/_mock/script", json=SCRIPT)).raise_for_status()
        yield http


async def new_session(client: httpx.AsyncClient, base: str) -> str:
    response = await client.post(f"{base}{API}/sessions", json={})
    response.raise_for_status()
    return str(response.json()["id"])


async def sse(response: httpx.Response) -> AsyncIterator[tuple[int, str, dict[str, Any]]]:
    """(id, event name, data) as each Server-Sent Event completes."""
    event_id, name, data = 0, "message", []
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield event_id, name, json.loads("\n".join(data))
            event_id, name, data = 0, "message", []
        elif line.startswith(":"):
            continue
        else:
            key, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if key == "id":
                event_id = int(value)
            elif key == "event":
                name = value
            elif key == "data":
                data.append(value)


async def send(
    client: httpx.AsyncClient, base: str, session_id: str, content: str
) -> list[tuple[int, str, dict[str, Any]]]:
    events = []
    async with client.stream(
        "POST", f"{base}{API}/sessions/{session_id}/messages", json={"content": content}
    ) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        async for item in sse(response):
            events.append(item)
    return events


async def attach(
    client: httpx.AsyncClient, base: str, session_id: str, after: int
) -> list[tuple[int, str, dict[str, Any]]]:
    events = []
    async with client.stream(
        "GET", f"{base}{API}/sessions/{session_id}/stream", headers={"Last-Event-ID": str(after)}
    ) as response:
        assert response.status_code == 200, response.status_code
        async for item in sse(response):
            events.append(item)
    return events


def text_of(events: list[tuple[int, str, dict[str, Any]]]) -> str:
    return "".join(data["text"] for _, name, data in events if name == "text_delta")


async def until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def start_streaming(
    client: httpx.AsyncClient, base: str, session_id: str, content: str
) -> tuple[list[tuple[int, str, dict[str, Any]]], asyncio.Task[None]]:
    """Send a message and collect its events in the background; returns once the first text arrived."""
    events: list[tuple[int, str, dict[str, Any]]] = []

    async def listen() -> None:
        async with client.stream(
            "POST", f"{base}{API}/sessions/{session_id}/messages", json={"content": content}
        ) as response:
            async for item in sse(response):
                events.append(item)

    listener = asyncio.create_task(listen())
    await until(lambda: _has(events, "text_delta"), 30, "the first text")
    return events, listener


async def running_worker(topology: ScaledPlatform, events: list[tuple[int, str, dict[str, Any]]]) -> int:
    """Which of the topology's workers holds the lease of the streamed turn."""
    turn_id = next(data for _, name, data in events if name == "accepted")["assistant_message_id"]
    runner = await redis_get(topology, f"turn:{turn_id}:lease")
    assert runner is not None
    return worker_index(topology, runner)


async def redis_get(topology: ScaledPlatform, key: str) -> str | None:
    from redis.asyncio import Redis

    async with Redis.from_url(topology.redis_url) as redis:
        value = await redis.get(topology.env["REDIS_KEY_PREFIX"] + key)
    return value.decode() if value is not None else None


def worker_index(topology: ScaledPlatform, worker_id: str) -> int:
    """Which of the topology's workers a worker id names (ids carry the process id)."""
    pid = int(worker_id.split("-")[-2])
    for index, proc in enumerate(topology.workers):
        if proc is not None and proc.pid == pid:
            return index
    raise AssertionError(f"no running worker has pid {pid}")


async def test_a_turn_streams_from_a_worker_and_re_attaches_on_the_other_replica_exactly_once(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    first, second = topology.urls
    session_id = await new_session(client, first)
    seen: list[tuple[int, str, dict[str, Any]]] = []
    async with client.stream(
        "POST", f"{first}{API}/sessions/{session_id}/messages", json={"content": "long one"}
    ) as response:
        async for item in sse(response):
            seen.append(item)
            if len([e for e in seen if e[1] == "text_delta"]) == 5:
                break  # the browser goes away mid-answer
    rest = await attach(client, second, session_id, seen[-1][0])
    ids = [event_id for event_id, _, _ in seen + rest]
    assert ids == list(range(1, len(ids) + 1))  # every event once, in order, across the two replicas
    assert rest[-1][1] == "done" and rest[-1][2]["status"] == "ok"
    assert text_of(seen + rest) == LONG_REPLY
    detail = (await client.get(f"{second}{API}/sessions/{session_id}")).json()
    assert detail["messages"][-1]["content"] == LONG_REPLY and not detail["is_running"]


async def test_stop_sent_to_the_other_replica_stops_the_turn_on_its_worker(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    first, second = topology.urls
    session_id = await new_session(client, first)
    events, listener = await start_streaming(client, first, session_id, "long two")
    started = time.monotonic()
    response = await client.post(f"{second}{API}/sessions/{session_id}/stop")
    assert response.status_code == 202, response.text
    await asyncio.wait_for(listener, 30)
    assert events[-1][1] == "done" and events[-1][2]["status"] == "stopped"
    assert time.monotonic() - started < 10
    assert len(text_of(events)) < len(LONG_REPLY)
    # The session takes the next message at once.
    after = await send(client, second, session_id, "quick")
    assert after[-1][2]["status"] == "ok" and text_of(after) == QUICK_REPLY


async def _has(events: list[tuple[int, str, dict[str, Any]]], name: str) -> bool:
    return any(e[1] == name for e in events)


async def test_a_follow_up_goes_to_the_warm_worker_and_resumes_elsewhere_when_it_is_gone(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    first, second = topology.urls
    session_id = await new_session(client, first)
    opening = await send(client, first, session_id, "quick: remember the word PELICAN")
    assert opening[-1][2]["status"] == "ok"
    warm_worker = await redis_get(topology, f"session:{session_id}:warm")
    assert warm_worker is not None
    follow_up = await send(client, second, session_id, "quick again")
    started = next(data for _, name, data in follow_up if name == "started")
    assert started["warm"] is True  # routed to the worker that holds the agent, through the other replica
    follow_up_id = next(data for _, name, data in follow_up if name == "accepted")["assistant_message_id"]
    # The copy kept for re-queueing (it may carry MCP secrets) went when the worker took the turn.
    assert await redis_get(topology, f"turn:{follow_up_id}:payload") is None
    assert await redis_get(topology, f"session:{session_id}:warm") == warm_worker

    index = worker_index(topology, warm_worker)
    (await client.delete(f"{topology.mock_url}/_mock/requests")).raise_for_status()
    topology.kill_worker(index)
    try:
        topology.wait_for_workers(1)
        resumed = await send(client, first, session_id, "quick after the loss")
        assert resumed[-1][2]["status"] == "ok", resumed[-3:]
        started = next(data for _, name, data in resumed if name == "started")
        assert started["warm"] is False
        # The other worker never saw this session: the model still got the whole earlier conversation.
        log = (await client.get(f"{topology.mock_url}/_mock/requests")).json()["requests"]
        sent = json.dumps([r["body"]["messages"] for r in log if r["path"] == "/v1/messages"])
        assert "remember the word PELICAN" in sent and "quick again" in sent
    finally:
        topology.start_worker(index)
        topology.wait_for_workers(2)


async def test_a_worker_killed_mid_turn_ends_the_turn_with_a_clear_error_and_the_session_goes_on(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    first, second = topology.urls
    session_id = await new_session(client, first)
    events, listener = await start_streaming(client, first, session_id, "long three")
    index = await running_worker(topology, events)
    killed_at = time.monotonic()
    topology.kill_worker(index)
    try:
        await asyncio.wait_for(listener, 30)
        ended_after = time.monotonic() - killed_at
        error = next(data for _, name, data in events if name == "error")
        assert error["kind"] == "worker_lost" and "worker running this turn stopped" in error["message"]
        assert events[-1][1] == "done" and events[-1][2]["status"] == "error"
        # Three missed heartbeats (0.5 s each) and a listener's wait: bounded, not a hang.
        assert ended_after < 8, ended_after
        detail = (await client.get(f"{second}{API}/sessions/{session_id}")).json()
        assert detail["messages"][-1]["status"] == "error" and not detail["is_running"]
        assert detail["messages"][-2]["content"] == "long three"  # the user's message is kept
        after = await send(client, second, session_id, "quick")
        assert after[-1][2]["status"] == "ok" and text_of(after) == QUICK_REPLY
    finally:
        topology.start_worker(index)
        topology.wait_for_workers(2)


async def test_a_web_replica_killed_mid_stream_the_client_re_attaches_to_the_other_and_misses_nothing(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    first, second = topology.urls
    session_id = await new_session(client, second)
    seen: list[tuple[int, str, dict[str, Any]]] = []
    try:
        async with client.stream(
            "POST", f"{first}{API}/sessions/{session_id}/messages", json={"content": "long four"}
        ) as response:
            async for item in sse(response):
                seen.append(item)
                if len([e for e in seen if e[1] == "text_delta"]) == 3:
                    topology.kill_web(0)
    except httpx.HTTPError:
        pass  # the replica died under the stream
    try:
        assert seen and seen[-1][1] != "done"
        rest = await attach(client, second, session_id, seen[-1][0])
        ids = [event_id for event_id, _, _ in seen + rest]
        assert ids == list(range(1, len(ids) + 1))
        assert rest[-1][1] == "done" and rest[-1][2]["status"] == "ok"
        assert text_of(seen + rest) == LONG_REPLY
    finally:
        topology.start_web(0)


async def test_with_redis_gone_health_says_so_sends_get_503_and_reading_sessions_still_works(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    first, _ = topology.urls
    session_id = await new_session(client, first)
    assert (await send(client, first, session_id, "quick"))[-1][2]["status"] == "ok"
    topology.stop_redis()
    try:
        health = await client.get(f"{first}{API}/health")
        assert health.status_code == 503 and health.json()["turns"].startswith("error: redis unreachable")
        response = await client.post(
            f"{first}{API}/sessions/{session_id}/messages", json={"content": "quick"}
        )
        assert response.status_code == 503
        assert response.json()["code"] == "redis_unavailable"
        assert "Redis" in response.json()["message"]
        detail = await client.get(f"{first}{API}/sessions/{session_id}")
        assert detail.status_code == 200 and len(detail.json()["messages"]) == 2
    finally:
        topology.start_redis()
        topology.wait_for_workers(2)
    assert (await send(client, first, session_id, "quick"))[-1][2]["status"] == "ok"


async def test_a_worker_stopped_with_sigterm_finishes_its_running_turn_first(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    first, _ = topology.urls
    session_id = await new_session(client, first)
    events, listener = await start_streaming(client, first, session_id, "long five")
    index = await running_worker(topology, events)
    proc = topology.workers[index]
    assert proc is not None
    topology.kill_worker(index, signal.SIGTERM)  # a rolling restart's stop
    try:
        await asyncio.wait_for(listener, 60)
        assert events[-1][1] == "done" and events[-1][2]["status"] == "ok"
        assert text_of(events) == LONG_REPLY
        assert await asyncio.to_thread(proc.wait, 30) == 0
    finally:
        topology.start_worker(index)
        topology.wait_for_workers(2)


async def test_each_worker_serves_its_own_metrics(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    first, _ = topology.urls
    session_id = await new_session(client, first)
    assert (await send(client, first, session_id, "quick"))[-1][2]["status"] == "ok"
    totals = []
    for port in topology.worker_metrics_ports:
        body = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        assert "aigc_agent_warm_clients" in body  # the runtime that holds the warm agents is here
        totals.append(
            sum(
                float(line.rsplit(" ", 1)[1])
                for line in body.splitlines()
                if line.startswith("aigc_turns_total{")
            )
        )
    assert sum(totals) >= 1  # the turn was counted where it ran, not on the web replica
