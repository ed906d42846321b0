"""Queries on feedback."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.feedback.models import MessageFeedback


async def get_for_message(
    session: AsyncSession, user_id: uuid.UUID, message_id: uuid.UUID
) -> MessageFeedback | None:
    result = await session.exec(
        select(MessageFeedback).where(
            MessageFeedback.user_id == user_id, MessageFeedback.message_id == message_id
        )
    )
    return result.first()


async def for_messages(
    session: AsyncSession, user_id: uuid.UUID, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, MessageFeedback]:
    if not message_ids:
        return {}
    rows = await session.exec(
        select(MessageFeedback).where(
            MessageFeedback.user_id == user_id, col(MessageFeedback.message_id).in_(message_ids)
        )
    )
    return {item.message_id: item for item in rows.all()}


async def satisfaction_by_scenario(session: AsyncSession, user_id: uuid.UUID) -> dict[uuid.UUID, float]:
    """Per scenario, (ups - downs) / rated in [-1, 1] for one user: a nudge for the matcher."""
    rows = await session.exec(
        select(MessageFeedback.scenario_id, MessageFeedback.rating, func.count())
        .where(MessageFeedback.user_id == user_id, col(MessageFeedback.scenario_id).is_not(None))
        .group_by(col(MessageFeedback.scenario_id), col(MessageFeedback.rating))
    )
    votes: dict[uuid.UUID, list[int]] = {}
    for scenario_id, rating, count in rows.all():
        if scenario_id is None:  # excluded by the query; this tells the type checker
            continue
        pair = votes.setdefault(scenario_id, [0, 0])
        pair[0 if rating == "up" else 1] += int(count)
    return {sid: (up - down) / (up + down) for sid, (up, down) in votes.items() if up + down}


async def by_ids(
    session: AsyncSession, user_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[MessageFeedback]:
    if not ids:
        return []
    rows = await session.exec(
        select(MessageFeedback).where(MessageFeedback.user_id == user_id, col(MessageFeedback.id).in_(ids))
    )
    return list(rows.all())
