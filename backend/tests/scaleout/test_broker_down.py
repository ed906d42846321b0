"""The broker (a Redis of its own here) goes away: health says so, a send gets 503 with the message kept and
the failure recorded, a turn already running finishes and is saved, and all works again once it is back."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from common import API, BENCH_USER  # bench/common.py
from topology import ScaledPlatform  # bench/topology.py

from tests.scaleout.test_scaleout import LONG_REPLY, SCRIPT, send, start_streaming, text_of

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def topology() -> Iterator[ScaledPlatform]:
    with ScaledPlatform(
        web=1,
        workers=1,
        chunk_delay=0.03,
        separate_broker=True,
        database_url=os.environ.get("TEST_DATABASE_URL") or None,
    ) as platform:
        yield platform


@pytest.fixture
async def client(topology: ScaledPlatform) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=topology.url, timeout=httpx.Timeout(60.0)) as http:
        response = await http.post(
            f"{API}/auth/login", data={"username": BENCH_USER, "password": topology.password}
        )
        http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        (await http.put(f"{topology.mock_url}/_mock/script", json=SCRIPT)).raise_for_status()
        yield http


async def test_broker_down_then_back(topology: ScaledPlatform, client: httpx.AsyncClient) -> None:
    base = topology.url
    session_id = (await client.post(f"{API}/sessions", json={})).json()["id"]
    events, running = await start_streaming(client, base, session_id, "long while the broker goes")
    topology.stop_broker()
    try:
        # The turn already on its worker does not need the broker: it finishes and is saved.
        await asyncio.wait_for(running, 60)
        assert events[-1][1] == "done" and events[-1][2]["status"] == "ok"
        assert text_of(events) == LONG_REPLY

        health = await client.get(f"{API}/health")
        assert health.status_code == 503 and health.json()["turns"].startswith("error: broker unreachable")

        other = (await client.post(f"{API}/sessions", json={})).json()["id"]
        started = time.monotonic()
        refused = await client.post(f"{API}/sessions/{other}/messages", json={"content": "quick"})
        assert time.monotonic() - started < 10  # told at once, not after a retry loop
        assert refused.status_code == 503 and refused.json()["code"] == "broker_unavailable"
        detail = (await client.get(f"{API}/sessions/{other}")).json()
        user, reply = detail["messages"]
        assert user["content"] == "quick"  # the message is kept
        assert reply["status"] == "error" and "task queue" in reply["error"]
        assert not detail["is_running"]
    finally:
        topology.start_broker()

    deadline = time.monotonic() + 60
    while True:  # the worker reconnects to the broker by itself
        response = await client.get(f"{API}/health")
        if response.status_code == 200:
            break
        assert time.monotonic() < deadline, response.json()
        await asyncio.sleep(0.5)
    after = await send(client, base, session_id, "quick")
    assert after[-1][2]["status"] == "ok"
