"""More people press send at the same moment than the database pool has connections: every turn must
still start. Found by bench/load.py (20 streaming sessions, 20 pooled connections): the turns' requests
waited 30 s for a connection and failed with 500."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from aigc.core.config import reset_settings_cache
from aigc.core.db import dispose_engine
from aigc.mock_model.testing import MockModelServer
from tests.factories import SignedIn, signed_in_user

API = "/api/v1/sessions"
POOL = 2  # DB_POOL_SIZE: the pool holds 2 + 2 overflow connections
SENDERS = 2 * POOL + 2
# ASGITransport returns a response once its stream has ended: each send waits for its whole turn.
WAIT_SECONDS = 15


@pytest.fixture
async def small_pool(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    monkeypatch.setenv("DB_POOL_SIZE", str(POOL))
    reset_settings_cache()
    await dispose_engine()  # the next query builds an engine with the small pool
    yield
    monkeypatch.undo()
    reset_settings_cache()
    await dispose_engine()


async def test_simultaneous_sends_do_not_exhaust_the_pool(
    client: httpx.AsyncClient, model: MockModelServer, small_pool: None
) -> None:
    senders = []
    for _ in range(SENDERS):
        user = await signed_in_user(client)
        session_id = (await client.post(API, json={}, headers=user.headers)).json()["id"]
        senders.append((user, session_id))

    async def send(user: SignedIn, session_id: str) -> int:
        async with client.stream(
            "POST", f"{API}/{session_id}/messages", json={"content": "hello"}, headers=user.headers
        ) as response:
            return response.status_code

    tasks = [asyncio.create_task(send(user, session_id)) for user, session_id in senders]
    done, pending = await asyncio.wait(tasks, timeout=WAIT_SECONDS)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    statuses = [task.result() for task in done if not task.exception()]
    # Let the turns that did start finish before the pool is put back.
    for _ in range(200):
        running = [
            (await client.get(f"{API}/{sid}", headers=u.headers)).json()["is_running"] for u, sid in senders
        ]
        if not any(running):
            break
        await asyncio.sleep(0.1)
    assert not pending, (
        f"{len(pending)} of {SENDERS} sends were still waiting for a connection after {WAIT_SECONDS} s"
    )
    assert statuses == [200] * SENDERS, statuses
