"""Every query on sessions, messages and artifacts; a user only ever reaches their own rows."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.sessions.models import Artifact, ChatSession, Message, TurnStatus


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


async def artifacts_of(session: AsyncSession, session_id: uuid.UUID) -> list[Artifact]:
    rows = await session.exec(
        select(Artifact).where(Artifact.session_id == session_id).order_by(col(Artifact.path))
    )
    return list(rows.all())


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


async def delete_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.exec(delete(ChatSession).where(col(ChatSession.id) == session_id))
