"""Every query on sessions, messages and artifacts.

The `*_owned` lookups scope to one user: what the API reaches goes through them, so a user only ever reaches
their own rows. The unscoped ones serve the turn that already owns its session, and retention.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.models import utcnow
from aigc.sessions.models import Artifact, ArtifactSource, ChatSession, Message, TurnStatus


async def get_session(
    session: AsyncSession, session_id: uuid.UUID, *, lock: bool = False
) -> ChatSession | None:
    """A session by id; `lock` holds its row until the transaction ends (SELECT ... FOR UPDATE)."""
    return await session.get(ChatSession, session_id, with_for_update=lock)


def touch_session(chat: ChatSession) -> None:
    """Mark the session active now: a turn changed it even when none of its own columns did."""
    chat.updated_at = utcnow()


async def idle_sessions(
    session: AsyncSession, idle_since: datetime, *, unarchived_only: bool = False
) -> list[ChatSession]:
    """Sessions nobody used since `idle_since`, of every user (retention)."""
    query = select(ChatSession).where(col(ChatSession.updated_at) < idle_since)
    if unarchived_only:
        query = query.where(col(ChatSession.archived_at).is_(None))
    return list((await session.exec(query)).all())


async def archive_session(session: AsyncSession, session_id: uuid.UUID, when: datetime) -> None:
    """Mark the session archived without counting that as activity.

    `updated_at` is set to itself so the ORM's automatic bump does not apply: retention deletes a session
    some time after its last use, and archiving it is not a use.
    """
    await session.exec(
        update(ChatSession)
        .where(col(ChatSession.id) == session_id)
        .values(archived_at=when, updated_at=col(ChatSession.updated_at))
    )


async def get_message(session: AsyncSession, message_id: uuid.UUID) -> Message | None:
    return await session.get(Message, message_id)


async def get_artifact(session: AsyncSession, artifact_id: uuid.UUID) -> Artifact | None:
    return await session.get(Artifact, artifact_id)


async def get_owned(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID) -> ChatSession | None:
    result = await session.exec(
        select(ChatSession).where(ChatSession.id == session_id, ChatSession.user_id == user_id)
    )
    return result.first()


async def list_owned(
    session: AsyncSession, user_id: uuid.UUID, search: str | None, offset: int, limit: int
) -> tuple[list[ChatSession], int]:
    query = select(ChatSession).where(ChatSession.user_id == user_id)
    if search:
        query = query.where(func.lower(ChatSession.title).like(f"%{search.strip().lower()}%"))
    count = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(col(ChatSession.updated_at).desc(), col(ChatSession.id)).offset(offset).limit(limit)
    )
    return list(rows.all()), int(count)


async def messages_of(session: AsyncSession, session_id: uuid.UUID) -> list[Message]:
    rows = await session.exec(
        select(Message)
        .where(Message.session_id == session_id)
        .order_by(col(Message.created_at), col(Message.role).desc())
    )
    return list(rows.all())


async def get_message_owned(
    session: AsyncSession, user_id: uuid.UUID, message_id: uuid.UUID
) -> Message | None:
    result = await session.exec(select(Message).where(Message.id == message_id, Message.user_id == user_id))
    return result.first()


async def artifacts_of(
    session: AsyncSession, session_id: uuid.UUID, source: ArtifactSource | None = None
) -> list[Artifact]:
    """The session's files by path: the agent's, the user's uploads, or (no source) both."""
    query = select(Artifact).where(Artifact.session_id == session_id)
    if source is not None:
        query = query.where(Artifact.source == source.value)
    rows = await session.exec(query.order_by(col(Artifact.path)))
    return list(rows.all())


async def session_paths(session: AsyncSession, session_id: uuid.UUID) -> set[str]:
    """Every recorded file path of the session, whoever made it (new uploads must not take one)."""
    rows = await session.exec(select(Artifact.path).where(Artifact.session_id == session_id))
    return set(rows.all())


async def uploads_by_ids(
    session: AsyncSession, session_id: uuid.UUID, upload_ids: list[uuid.UUID]
) -> list[Artifact]:
    """The user's uploads to this session among `upload_ids` (another session's file is not among them)."""
    rows = await session.exec(
        select(Artifact).where(
            Artifact.session_id == session_id,
            Artifact.source == ArtifactSource.user.value,
            col(Artifact.id).in_(upload_ids),
        )
    )
    return list(rows.all())


async def upload_bytes(session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID | None = None) -> int:
    """The size of a user's uploads, all of them or one session's (quotas)."""
    query = select(func.coalesce(func.sum(Artifact.size), 0)).where(
        Artifact.user_id == user_id, Artifact.source == ArtifactSource.user.value
    )
    if session_id is not None:
        query = query.where(Artifact.session_id == session_id)
    return int((await session.exec(query)).one())


async def link_uploads(
    session: AsyncSession, session_id: uuid.UUID, upload_ids: list[uuid.UUID], message_id: uuid.UUID
) -> None:
    """The uploads a message names now belong to it (and can no longer be deleted on their own)."""
    await session.exec(
        update(Artifact)
        .where(
            col(Artifact.session_id) == session_id,
            col(Artifact.source) == ArtifactSource.user.value,
            col(Artifact.id).in_(upload_ids),
            col(Artifact.message_id).is_(None),
        )
        .values(message_id=message_id)
    )


async def delete_artifact(session: AsyncSession, artifact_id: uuid.UUID) -> None:
    await session.exec(delete(Artifact).where(col(Artifact.id) == artifact_id))


async def get_artifact_owned(
    session: AsyncSession, user_id: uuid.UUID, artifact_id: uuid.UUID
) -> Artifact | None:
    result = await session.exec(
        select(Artifact).where(Artifact.id == artifact_id, Artifact.user_id == user_id)
    )
    return result.first()


async def get_artifact_by_path(session: AsyncSession, session_id: uuid.UUID, path: str) -> Artifact | None:
    result = await session.exec(
        select(Artifact).where(Artifact.session_id == session_id, Artifact.path == path)
    )
    return result.first()


async def running_message(session: AsyncSession, session_id: uuid.UUID) -> Message | None:
    result = await session.exec(
        select(Message).where(Message.session_id == session_id, Message.status == TurnStatus.running.value)
    )
    return result.first()


async def fail_running_messages(session: AsyncSession, reason: str) -> int:
    """Turns that were running when the server stopped can never finish: record them as failed."""
    result = await session.exec(
        update(Message)
        .where(col(Message.status) == TurnStatus.running.value)
        .values(status=TurnStatus.error.value, error=reason)
    )
    return int(result.rowcount or 0)


async def end_running_message(
    session: AsyncSession, message_id: uuid.UUID, status: TurnStatus, reason: str | None
) -> bool:
    """A turn that will not run on (its worker stopped, or it was stopped before it started); False if it had ended."""
    result = await session.exec(
        update(Message)
        .where(col(Message.id) == message_id, col(Message.status) == TurnStatus.running.value)
        .values(status=status.value, error=reason)
    )
    return bool(result.rowcount)


async def running_message_ids(
    session: AsyncSession, created_before: datetime
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(session id, message id) of replies still marked running that were started before a moment."""
    rows = await session.exec(
        select(Message.session_id, Message.id).where(
            col(Message.status) == TurnStatus.running.value,
            col(Message.role) == "assistant",
            col(Message.created_at) < created_before,
        )
    )
    return [(sid, mid) for sid, mid in rows.all()]


async def delete_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.exec(delete(ChatSession).where(col(ChatSession.id) == session_id))
