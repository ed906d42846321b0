"""A rolling restart of every web replica and then every worker while 20 sessions chat: each turn completes
or ends with a clear error, and none is left `running`."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
from typing import Any

import httpx
import pytest
from common import API, BENCH_USER  # bench/common.py
from topology import ScaledPlatform  # bench/topology.py

from tests.scaleout.test_scaleout import SCRIPT, sse

SESSIONS = 20

pytestmark = pytest.mark.timeout(420)


class Chatter:
    """One user sending message after message, moving to the other replica whenever one goes away."""

    def __init__(self, client: httpx.AsyncClient, urls: list[str], session_id: str, offset: int) -> None:
        self.client = client
        self.replicas = itertools.cycle(urls[offset % len(urls) :] + urls[: offset % len(urls)])
        self.session_id = session_id
        self.outcomes: list[dict[str, Any]] = []

    async def chat(self, stop: asyncio.Event) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            self.outcomes.append(await self.turn(f"message {n}"))

    async def turn(self, content: str) -> dict[str, Any]:
        last_id, attempts, sent = 0, 0, False
        while True:
            attempts += 1
            assert attempts < 60, f"session {self.session_id} could not finish a turn"
            base = next(self.replicas)
            try:
                if not sent:
                    request = self.client.stream(
                        "POST", f"{base}{API}/sessions/{self.session_id}/messages", json={"content": content}
                    )
                else:
                    request = self.client.stream(
                        "GET",
                        f"{base}{API}/sessions/{self.session_id}/stream",
                        headers={"Last-Event-ID": str(last_id)},
                    )
                async with request as response:
                    if response.status_code == 409 and not sent:
                        sent = True  # saved by a replica that went away before answering: follow it
                        continue
                    if response.status_code in (502, 503, 204):
                        await asyncio.sleep(0.3)
                        continue
                    assert response.status_code == 200, (await response.aread()).decode()
                    sent = True
                    async for event_id, name, data in sse(response):
                        last_id = event_id
                        if name == "done":
                            return data
            except httpx.HTTPError:
                pass  # the replica went away: re-attach (or send again if nothing was accepted) elsewhere
            await asyncio.sleep(0.2)


async def _restart_web(topology: ScaledPlatform, index: int) -> None:
    proc = topology.webs[index]
    assert proc is not None
    proc.send_signal(signal.SIGTERM)
    await asyncio.to_thread(proc.wait, 60)
    await asyncio.to_thread(topology.start_web, index)


async def _restart_worker(topology: ScaledPlatform, index: int) -> None:
    proc = topology.workers[index]
    assert proc is not None
    topology.kill_worker(index, signal.SIGTERM)  # warm shutdown: its running turns finish first
    assert await asyncio.to_thread(proc.wait, 120) == 0
    topology.start_worker(index)
    await asyncio.to_thread(topology.wait_for_workers, 2)


async def test_rolling_restart_of_replicas_then_workers_while_twenty_sessions_chat(
    topology: ScaledPlatform,
) -> None:
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0)) as client:
        response = await client.post(
            f"{topology.urls[0]}{API}/auth/login",
            data={"username": BENCH_USER, "password": topology.password},
        )
        client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        (await client.put(f"{topology.mock_url}/_mock/script", json=SCRIPT)).raise_for_status()
        ids = []
        for _ in range(SESSIONS):
            created = await client.post(f"{topology.urls[0]}{API}/sessions", json={})
            ids.append(created.json()["id"])
        chatters = [Chatter(client, topology.urls, sid, n) for n, sid in enumerate(ids)]
        stop = asyncio.Event()
        chatting = [asyncio.create_task(c.chat(stop)) for c in chatters]
        try:
            await asyncio.sleep(3)
            for index in range(len(topology.webs)):
                await _restart_web(topology, index)
            for index in range(len(topology.workers)):
                await _restart_worker(topology, index)
            await asyncio.sleep(2)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*chatting), 180)

        outcomes = [o for c in chatters for o in c.outcomes]
        assert len(outcomes) >= SESSIONS * 2
        for outcome in outcomes:
            assert outcome["status"] in ("ok", "error"), outcome
            if outcome["status"] == "error":
                assert outcome["error"], outcome  # a clear message, never a bare failure
        failed = [o for o in outcomes if o["status"] != "ok"]
        # Warm shutdown lets running turns finish and follow-ups leave a departing worker's queue: the
        # restart costs no turn at all.
        assert failed == [], failed
        for session_id in ids:
            detail = (await client.get(f"{topology.urls[1]}{API}/sessions/{session_id}")).json()
            assert not detail["is_running"]
            assert all(m["status"] != "running" for m in detail["messages"]), detail["messages"]
        with contextlib.suppress(Exception):
            print(f"{len(outcomes)} turns, {len(failed)} failed")
