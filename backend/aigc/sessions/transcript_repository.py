"""Every query on the agent transcripts the SDK mirrors into the database (aigc.sessions.transcripts).

A key is (project_key, session_id, subpath); the main transcript has subpath "".
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, insert, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.db import upsert_increment
from aigc.sessions.transcript_models import AgentTranscript, AgentTranscriptEntry

MAIN = ""


async def lock_transcript(
    session: AsyncSession, project_key: str, session_id: str, subpath: str, now_ms: int
) -> AgentTranscript:
    """The key's row, created if missing and locked until the transaction ends.

    Appends to one key run one after the other behind this lock (SELECT ... FOR UPDATE on PostgreSQL; on
    SQLite the write transaction already holds the database lock), so entry ids follow commit order.
    """
    await upsert_increment(
        session,
        AgentTranscript.__table__,  # type: ignore[attr-defined]
        key={"project_key": project_key, "session_id": session_id, "subpath": subpath},
        increments={},
        insert_only={"mtime_ms": now_ms},
    )
    row = await session.get(
        AgentTranscript, (project_key, session_id, subpath), with_for_update=True, populate_existing=True
    )
    assert row is not None  # inserted just above, and only deleted under the same lock
    return row


async def existing_uuids(
    session: AsyncSession, project_key: str, session_id: str, subpath: str, uuids: Sequence[str]
) -> set[str]:
    """Which of these entry uuids the key already holds (a retried batch may overlap a landed one)."""
    if not uuids:
        return set()
    query = select(AgentTranscriptEntry.uuid).where(
        col(AgentTranscriptEntry.project_key) == project_key,
        col(AgentTranscriptEntry.session_id) == session_id,
        col(AgentTranscriptEntry.subpath) == subpath,
        col(AgentTranscriptEntry.uuid).in_(list(uuids)),
    )
    return {uuid for uuid in (await session.exec(query)).all() if uuid is not None}


async def add_entries(
    session: AsyncSession,
    project_key: str,
    session_id: str,
    subpath: str,
    entries: Sequence[tuple[str | None, str]],
) -> None:
    """Append (uuid, entry JSON) rows in the given order, in one statement."""
    if not entries:
        return
    rows = [
        {
            "project_key": project_key,
            "session_id": session_id,
            "subpath": subpath,
            "uuid": uuid,
            "entry": text,
        }
        for uuid, text in entries
    ]
    await session.exec(insert(AgentTranscriptEntry).values(rows))


async def stamp_transcript(
    session: AsyncSession, project_key: str, session_id: str, subpath: str, mtime_ms: int, summary: str | None
) -> None:
    """Set the key's write time and, for a main transcript, its summary sidecar."""
    values: dict[str, object] = {"mtime_ms": mtime_ms}
    if summary is not None:
        values["summary"] = summary
    await session.exec(
        update(AgentTranscript)
        .where(
            col(AgentTranscript.project_key) == project_key,
            col(AgentTranscript.session_id) == session_id,
            col(AgentTranscript.subpath) == subpath,
        )
        .values(**values)
    )


async def entries_of(session: AsyncSession, project_key: str, session_id: str, subpath: str) -> list[str]:
    """The key's entry JSON texts in append order."""
    query = (
        select(AgentTranscriptEntry.entry)
        .where(
            col(AgentTranscriptEntry.project_key) == project_key,
            col(AgentTranscriptEntry.session_id) == session_id,
            col(AgentTranscriptEntry.subpath) == subpath,
        )
        .order_by(col(AgentTranscriptEntry.id))
    )
    return list((await session.exec(query)).all())


async def main_transcripts(session: AsyncSession, project_key: str) -> list[AgentTranscript]:
    """The main transcripts of a project (subagent transcripts are not sessions of their own)."""
    query = select(AgentTranscript).where(
        col(AgentTranscript.project_key) == project_key, col(AgentTranscript.subpath) == MAIN
    )
    return list((await session.exec(query)).all())


async def subpaths_of(session: AsyncSession, project_key: str, session_id: str) -> list[str]:
    """The subagent transcript keys under a session."""
    query = (
        select(AgentTranscript.subpath)
        .where(
            col(AgentTranscript.project_key) == project_key,
            col(AgentTranscript.session_id) == session_id,
            col(AgentTranscript.subpath) != MAIN,
        )
        .order_by(col(AgentTranscript.subpath))
    )
    return list((await session.exec(query)).all())


async def delete_transcript(
    session: AsyncSession, project_key: str, session_id: str, subpath: str | None
) -> None:
    """Delete one key, or with subpath None the session's main transcript and every subagent one."""
    for model in (AgentTranscriptEntry, AgentTranscript):
        conditions = [col(model.project_key) == project_key, col(model.session_id) == session_id]
        if subpath is not None:
            conditions.append(col(model.subpath) == subpath)
        await session.exec(delete(model).where(*conditions))


async def delete_for_chat(session: AsyncSession, project_key: str, session_ids: Sequence[str]) -> None:
    """Every transcript of a chat session: all under its folder's project key, and its known agent sessions."""
    condition = col(AgentTranscript.project_key) == project_key
    if session_ids:
        condition = or_(condition, col(AgentTranscript.session_id).in_(list(session_ids)))
    keys = (
        await session.exec(select(AgentTranscript.project_key, AgentTranscript.session_id).where(condition))
    ).all()
    # Key by key: the entries' indexes lead with project_key, a delete by session_id alone would scan them.
    for key_project, key_session in set(keys):
        await delete_transcript(session, key_project, key_session, None)
