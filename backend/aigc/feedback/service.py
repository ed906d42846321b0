"""Feedback rules: only your own finished answers can be rated, once each; aggregates follow every change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.errors import AppError, ConflictError, NotFoundError
from aigc.feedback import repository
from aigc.feedback.models import MessageFeedback
from aigc.feedback.schemas import FIXED_TAGS, FeedbackIn, FeedbackTag
from aigc.sessions import service as session_service
from aigc.sessions.models import Message, TurnStatus
from aigc.stats import service as stats_service
from aigc.users.models import User


def fixed_tags() -> list[FeedbackTag]:
    return [FeedbackTag(key=key, labels=labels) for key, labels in FIXED_TAGS.items()]


async def for_messages(
    session: AsyncSession, user_id: uuid.UUID, message_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, MessageFeedback]:
    """The user's feedback on each of these messages that has some, keyed by message id."""
    return await repository.for_messages(session, user_id, message_ids)


async def by_ids(
    session: AsyncSession, user_id: uuid.UUID, ids: Sequence[uuid.UUID]
) -> list[MessageFeedback]:
    """The user's own feedback with these ids (others' are left out)."""
    return await repository.by_ids(session, user_id, ids)


async def satisfaction_by_scenario(session: AsyncSession, user_id: uuid.UUID) -> dict[uuid.UUID, float]:
    """Per scenario, (ups - downs) / rated in [-1, 1] for one user."""
    return await repository.satisfaction_by_scenario(session, user_id)


async def _rateable_message(session: AsyncSession, user: User, message_id: uuid.UUID) -> Message:
    message = await session_service.find_message_owned(session, user.id, message_id)
    if message is None:
        raise NotFoundError("No such message")
    if message.role != "assistant":
        raise AppError("Only the assistant's answers can be rated", code="not_an_answer", status_code=422)
    if message.status == TurnStatus.running.value:
        raise ConflictError("This answer is still being written", code="turn_running")
    return message


async def get_feedback(session: AsyncSession, user: User, message_id: uuid.UUID) -> MessageFeedback:
    await _rateable_message(session, user, message_id)
    return await _existing_feedback(session, user, message_id)


async def _existing_feedback(session: AsyncSession, user: User, message_id: uuid.UUID) -> MessageFeedback:
    feedback = await repository.get_for_message(session, user.id, message_id)
    if feedback is None:
        raise NotFoundError("This answer has no feedback yet")
    return feedback


async def put_feedback(
    session: AsyncSession, user: User, message_id: uuid.UUID, data: FeedbackIn
) -> MessageFeedback:
    """Create or replace the user's feedback on an answer."""
    message = await _rateable_message(session, user, message_id)
    feedback = await repository.get_for_message(session, user.id, message_id)
    old = (feedback.rating, feedback.score) if feedback else None
    if feedback is None:
        feedback = MessageFeedback(
            message_id=message.id,
            user_id=user.id,
            session_id=message.session_id,
            scenario_id=message.scenario_id,
            rating=data.rating,
        )
    feedback.rating, feedback.score, feedback.tags, feedback.comment = (
        data.rating,
        data.score,
        data.tags,
        data.comment,
    )
    session.add(feedback)
    await session.flush()
    await stats_service.record_feedback_change(
        session,
        user.id,
        message.scenario_id,
        old,
        (feedback.rating, feedback.score),
        message.created_at,
        message.model,
    )
    return feedback


async def delete_feedback(session: AsyncSession, user: User, message_id: uuid.UUID) -> None:
    message = await _rateable_message(session, user, message_id)
    feedback = await _existing_feedback(session, user, message_id)
    await session.delete(feedback)
    await session.flush()
    await stats_service.record_feedback_change(
        session,
        user.id,
        feedback.scenario_id,
        (feedback.rating, feedback.score),
        None,
        message.created_at,
        message.model,
    )
