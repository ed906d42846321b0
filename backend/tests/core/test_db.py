"""The database under concurrent writers, and the SQLite settings that make that safe."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from aigc.core.config import Settings
from aigc.core.db import get_engine
from tests.conftest import IS_POSTGRES


async def test_many_concurrent_writers_all_succeed(client: httpx.AsyncClient) -> None:
    async def register(i: int) -> int:
        response = await client.post(
            "/api/v1/auth/register", json={"username": f"burst{i}", "password": "long-enough-pw"}
        )
        return response.status_code

    statuses = await asyncio.gather(*(register(i) for i in range(60)))
    assert statuses == [201] * 60


async def test_a_failed_request_leaves_no_partial_write(client: httpx.AsyncClient) -> None:
    await client.post(
        "/api/v1/auth/register",
        json={"username": "first", "password": "long-enough-pw", "email": "same@x.org"},
    )
    duplicate = await client.post(
        "/api/v1/auth/register",
        json={"username": "second", "password": "long-enough-pw", "email": "same@x.org"},
    )
    assert duplicate.status_code == 409
    async with get_engine().connect() as conn:
        names = (await conn.execute(text("SELECT username FROM users"))).scalars().all()
    assert names == ["first"]


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite pragmas")
async def test_sqlite_runs_in_wal_with_foreign_keys() -> None:
    async with get_engine().connect() as conn:
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() >= 1000


@pytest.mark.skipif(IS_POSTGRES, reason="SQLite's single write lock")
async def test_sqlite_writers_queue_in_order_instead_of_timing_out(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """40 writers that each hold the lock for 20 ms, with a 100 ms busy timeout: SQLite's busy handler
    alone would leave most of them with "database is locked"; queued for the writer connection, all pass."""
    from aigc.core import db

    await db.dispose_engine()
    monkeypatch.setattr(
        db, "get_settings", lambda: settings.model_copy(update={"sqlite_busy_timeout_ms": 100})
    )
    order: list[int] = []

    async def write(i: int) -> None:
        async with db.session_scope() as session:
            await session.exec(text("SELECT 1"))  # type: ignore[call-overload]  # BEGIN IMMEDIATE: the lock
            order.append(i)
            await asyncio.sleep(0.02)  # work done while holding it

    try:
        results = await asyncio.gather(*(write(i) for i in range(40)), return_exceptions=True)
    finally:
        await db.dispose_engine()
    assert [r for r in results if r is not None] == []
    assert order == list(range(40)), "writers take the lock in the order they asked for it"
