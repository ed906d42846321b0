"""The SDK's SessionStore on the platform database: the SDK's own conformance suite, order and idempotency."""

from __future__ import annotations

import asyncio
from typing import Any

from claude_agent_sdk.testing import run_session_store_conformance
from sqlalchemy import func, select

from aigc.core.db import get_engine
from aigc.sessions.transcript_models import AgentTranscript, AgentTranscriptEntry
from aigc.sessions.transcripts import TranscriptStore, transcript_store

KEY: Any = {"project_key": "-srv-sessions-a", "session_id": "6b0c2f9e-0a4e-4a36-9d56-0c1f3f3b8d11"}


async def empty_store() -> TranscriptStore:
    async with get_engine().begin() as conn:
        for table in (AgentTranscriptEntry.__table__, AgentTranscript.__table__):  # type: ignore[attr-defined]
            await conn.execute(table.delete())
    return TranscriptStore()


async def test_sdk_conformance_suite() -> None:
    # Every optional method is implemented, so none of the 14 contracts is skipped.
    await run_session_store_conformance(empty_store)


async def test_one_store_per_process() -> None:
    assert transcript_store() is transcript_store()


async def test_retried_batch_lands_once_and_keeps_the_summary() -> None:
    store = await empty_store()
    first: list[Any] = [
        {
            "type": "user",
            "uuid": "u1",
            "timestamp": "2026-12-01T10:00:00.000Z",
            "message": {"content": "你好"},
        }
    ]
    await store.append(KEY, first)
    (before,) = await store.list_session_summaries(KEY["project_key"])
    # A batch retried after a partial write: u1 again, a new u2, a title line without uuid, u2 twice.
    retry: list[Any] = [
        *first,
        {"type": "assistant", "uuid": "u2", "message": {"content": [{"type": "text", "text": "嗨"}]}},
        {"type": "custom-title", "customTitle": "问候"},
        {"type": "assistant", "uuid": "u2", "message": {"content": [{"type": "text", "text": "嗨"}]}},
    ]
    await store.append(KEY, retry)
    assert await store.load(KEY) == [first[0], retry[1], retry[2]]
    (after,) = await store.list_session_summaries(KEY["project_key"])
    assert after["data"]["custom_title"] == "问候"
    assert after["data"]["created_at"] == before["data"]["created_at"]
    assert after["mtime"] >= before["mtime"]


async def test_concurrent_appends_keep_each_batch_whole_and_lose_nothing() -> None:
    """Writers on separate connections (as separate workers would be): order is the commit order."""
    store = await empty_store()
    writers, batches, size = 8, 6, 20

    def batch(w: int, b: int) -> list[Any]:
        lines: list[Any] = [{"type": "x", "uuid": f"{w}-{b}-{i}", "i": i} for i in range(size - 1)]
        return [
            *lines,
            {"type": "x", "uuid": f"{w}-{b}-{size - 1}", "i": size - 1, "customTitle": f"{w}-{b}"},
        ]

    async def writer(w: int) -> None:
        for b in range(batches):
            await store.append(KEY, batch(w, b))
            # The same batch again from "another process" that retried it: nothing doubles.
            await store.append(KEY, batch(w, b))

    await asyncio.gather(*(writer(w) for w in range(writers)))
    loaded: list[Any] | None = await store.load(KEY)
    assert loaded is not None and len(loaded) == writers * batches * size
    # Batches never interleave, and each writer's batches stay in its call order.
    runs = [loaded[i : i + size] for i in range(0, len(loaded), size)]
    for run in runs:
        assert [e["i"] for e in run] == list(range(size))
        assert len({e["uuid"].rsplit("-", 1)[0] for e in run}) == 1
    for w in range(writers):
        own = [run[0]["uuid"].rsplit("-", 1)[0] for run in runs if run[0]["uuid"].startswith(f"{w}-")]
        assert own == [f"{w}-{b}" for b in range(batches)]
    # The summary sidecar saw the batches in the same order as the entries (no lost read-fold-write).
    (summary,) = await store.list_session_summaries(KEY["project_key"])
    assert summary["data"]["custom_title"] == loaded[-1]["customTitle"]
    async with get_engine().connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(AgentTranscriptEntry))).scalar_one()
    assert count == writers * batches * size
