"""Queries for learning: who has enough feedback, their feedback rows and samples, and the cached profiles."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

from sqlalchemy import String, cast, delete, func
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.feedback.models import MessageFeedback
from aigc.preferences.models import UserPreferencesCache
from aigc.preferences.samples import FeedbackRow, FeedbackSample
from aigc.sessions.models import Message

ROW_BATCH = 5000


async def candidates(session: AsyncSession, min_feedback_count: int) -> dict[uuid.UUID, int]:
    """Users with at least `min_feedback_count` ratings whose learning is not paused, with their counts."""
    paused = select(UserPreferencesCache.user_id).where(col(UserPreferencesCache.paused).is_(True))
    rows = await session.exec(
        select(MessageFeedback.user_id, func.count())
        .where(col(MessageFeedback.user_id).not_in(paused))
        .group_by(col(MessageFeedback.user_id))
        .having(func.count() >= min_feedback_count)
    )
    return {user_id: int(count) for user_id, count in rows.all()}


def _text(column: Any) -> Any:
    """The column as the database stores it, as text: no UUID or JSON decoding for each of many rows."""
    return cast(column, String)


async def feedback_rows(
    session: AsyncSession, min_feedback_count: int
) -> AsyncIterator[tuple[str, FeedbackRow]]:
    """Every rating of the candidate users as raw text, streamed in batches (the unchanged re-run reads them all).

    Only hashed, never shown: the stored text is as stable as the decoded values and far cheaper to read.
    """
    eligible = (
        select(MessageFeedback.user_id)
        .group_by(col(MessageFeedback.user_id))
        .having(func.count() >= min_feedback_count)
    )
    # SQLAlchemy's select: sqlmodel's typed overloads stop at four columns.
    result = await session.stream(
        sa_select(
            _text(MessageFeedback.user_id),
            _text(MessageFeedback.id),
            col(MessageFeedback.rating),
            col(MessageFeedback.score),
            _text(MessageFeedback.tags),
            col(MessageFeedback.comment),
        )
        .where(col(MessageFeedback.user_id).in_(eligible))
        .order_by(col(MessageFeedback.user_id))
        .execution_options(yield_per=ROW_BATCH)
    )
    # By partition, not by row: each async step is a greenlet switch, far dearer than the row itself.
    async for partition in result.partitions(ROW_BATCH):
        for user_id, feedback_id, rating, score, tags, comment in partition:
            yield user_id, (feedback_id, rating, score, tags, comment)


async def samples_for(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[FeedbackSample]]:
    """Ratings with the text of the answers they rate, for the users whose data changed."""
    if not user_ids:
        return {}
    rows = await session.exec(
        select(MessageFeedback, Message.content)
        .join(Message, col(Message.id) == col(MessageFeedback.message_id))
        .where(col(MessageFeedback.user_id).in_(user_ids))
        .order_by(col(MessageFeedback.created_at))
    )
    result: dict[uuid.UUID, list[FeedbackSample]] = {}
    for feedback, content in rows.all():
        result.setdefault(feedback.user_id, []).append(
            FeedbackSample(
                id=feedback.id,
                rating=feedback.rating,
                score=feedback.score,
                tags=tuple(feedback.tags or ()),
                comment=feedback.comment or "",
                scenario_id=feedback.scenario_id,
                answer=content or "",
            )
        )
    return result


async def get_cache(session: AsyncSession, user_id: uuid.UUID) -> UserPreferencesCache | None:
    return await session.get(UserPreferencesCache, user_id)


async def delete_cache(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.exec(delete(UserPreferencesCache).where(col(UserPreferencesCache.user_id) == user_id))


async def caches(
    session: AsyncSession, user_ids: Sequence[uuid.UUID] | None = None
) -> dict[uuid.UUID, UserPreferencesCache]:
    query = select(UserPreferencesCache)
    if user_ids is not None:
        query = query.where(col(UserPreferencesCache.user_id).in_(user_ids))
    return {cache.user_id: cache for cache in (await session.exec(query)).all()}


async def cached_hashes(session: AsyncSession) -> dict[str, str]:
    """Each learned user's last data hash, keyed like feedback_rows (the user id as stored text)."""
    rows = await session.exec(select(_text(UserPreferencesCache.user_id), UserPreferencesCache.data_hash))
    return dict(rows.all())


async def paused_users(session: AsyncSession) -> set[str]:
    rows = await session.exec(
        select(_text(UserPreferencesCache.user_id)).where(col(UserPreferencesCache.paused).is_(True))
    )
    return set(rows.all())
