"""The Claude Agent SDK's SessionStore on the platform's database: any worker can resume any session.

The CLI still writes its transcript under CLAUDE_CONFIG_DIR; the SDK mirrors every line here (batched: one
append per file at the end of each turn, see docs/architecture.md "Transcripts"). A turn that starts an
agent process with `resume` loads the transcript from here into a temporary config folder first, so the
local file is no longer needed. Duck-typed: the SDK probes which of the optional methods exist.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, cast

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.agent import transcripts as sdk
from aigc.core.db import session_scope
from aigc.sessions import transcript_repository as repository


class TranscriptStore:
    """SessionStore on the platform database; one per process (transcript_store()), it holds no state."""

    async def append(self, key: sdk.SessionKey, entries: list[sdk.SessionStoreEntry]) -> None:
        """Add a batch in order; entries whose uuid the key already holds are skipped (retried batches)."""
        if not entries:
            return
        project_key, session_id, subpath = _split(key)
        async with session_scope() as session:
            transcript = await repository.lock_transcript(
                session, project_key, session_id, subpath, _now_ms()
            )
            seen = await repository.existing_uuids(
                session, project_key, session_id, subpath, [u for e in entries if (u := _uuid(e))]
            )
            fresh: list[sdk.SessionStoreEntry] = []
            for entry in entries:
                uuid = _uuid(entry)
                if uuid is not None:
                    if uuid in seen:
                        continue
                    seen.add(uuid)
                fresh.append(entry)
            await repository.add_entries(
                session, project_key, session_id, subpath, [(_uuid(e), _dumps(e)) for e in fresh]
            )
            summary = None
            if subpath == repository.MAIN:
                prev: sdk.SessionSummaryEntry | None = None
                if transcript.summary is not None:
                    prev = {
                        "session_id": session_id,
                        "mtime": transcript.mtime_ms,
                        "data": json.loads(transcript.summary),
                    }
                summary = _dumps(sdk.fold_session_summary(prev, key, fresh)["data"])
            # Never backwards, even if this host's clock is behind the one that wrote last.
            mtime = max(_now_ms(), transcript.mtime_ms)
            await repository.stamp_transcript(session, project_key, session_id, subpath, mtime, summary)

    async def load(self, key: sdk.SessionKey) -> list[sdk.SessionStoreEntry] | None:
        """The key's entries in append order, or None if it holds none."""
        async with session_scope(write=False) as session:
            texts = await repository.entries_of(session, *_split(key))
        return [json.loads(text) for text in texts] or None

    async def list_sessions(self, project_key: str) -> list[sdk.SessionStoreListEntry]:
        """Main transcripts of a project with their last write time (epoch ms)."""
        async with session_scope(write=False) as session:
            rows = await repository.main_transcripts(session, project_key)
        return [{"session_id": row.session_id, "mtime": row.mtime_ms} for row in rows]

    async def list_session_summaries(self, project_key: str) -> list[sdk.SessionSummaryEntry]:
        """The SDK's folded summaries of a project's main transcripts, stamped with the write time."""
        async with session_scope(write=False) as session:
            rows = await repository.main_transcripts(session, project_key)
        return [
            {"session_id": row.session_id, "mtime": row.mtime_ms, "data": json.loads(row.summary)}
            for row in rows
            if row.summary is not None
        ]

    async def delete(self, key: sdk.SessionKey) -> None:
        """Delete one subagent transcript, or a main transcript with all of its subagent ones."""
        async with session_scope() as session:
            await repository.delete_transcript(
                session, key["project_key"], key["session_id"], key.get("subpath") or None
            )

    async def list_subkeys(self, key: sdk.SessionListSubkeysKey) -> list[str]:
        """The subagent transcripts under a session (resume materialises them too)."""
        async with session_scope(write=False) as session:
            return await repository.subpaths_of(session, key["project_key"], key["session_id"])


@cache
def transcript_store() -> TranscriptStore:
    """The process's store (the SDK gets the same object for every agent process)."""
    return TranscriptStore()


async def delete_chat_transcripts(session: AsyncSession, cwd: Path, sdk_session_ids: Sequence[str]) -> None:
    """Delete what the agents of one chat session left in the store, inside the caller's transaction."""
    await repository.delete_for_chat(session, sdk.project_key(cwd), sdk_session_ids)


def _split(key: sdk.SessionKey | dict[str, Any]) -> tuple[str, str, str]:
    return key["project_key"], key["session_id"], key.get("subpath") or repository.MAIN


def _uuid(entry: sdk.SessionStoreEntry) -> str | None:
    value = cast(dict[str, Any], entry).get("uuid")
    return value if isinstance(value, str) and value else None


def _dumps(value: Any) -> str:
    # Compact UTF-8 (most conversations here are Chinese: \u escapes would double them). A lone surrogate
    # cannot be stored as UTF-8; only then fall back to ASCII escapes.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, separators=(",", ":"))
    return text


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
