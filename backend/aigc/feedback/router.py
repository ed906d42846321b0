"""Feedback endpoints: rate an answer, change or remove the rating, and the fixed tag list."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from aigc.auth.dependencies import CurrentUser
from aigc.core.deps import SessionDep
from aigc.core.errors import error_responses
from aigc.feedback import service
from aigc.feedback.schemas import FeedbackIn, FeedbackPublic, FeedbackTag

router = APIRouter(tags=["feedback"], responses=error_responses(401))


@router.get("/feedback/tags", summary="The fixed feedback tags", response_model=list[FeedbackTag])
async def list_tags(_user: CurrentUser) -> list[FeedbackTag]:
    """Tag keys with Chinese and English labels; other tags are free text."""
    return service.fixed_tags()


@router.get(
    "/messages/{message_id}/feedback",
    summary="Get my feedback on an answer",
    response_model=FeedbackPublic,
    responses=error_responses(404, 422),
)
async def get_feedback(message_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> FeedbackPublic:
    """The signed-in user's rating of one answer."""
    return FeedbackPublic.model_validate(await service.get_feedback(session, user, message_id))


@router.put(
    "/messages/{message_id}/feedback",
    summary="Rate an answer",
    response_model=FeedbackPublic,
    responses=error_responses(404, 409, 422),
)
async def put_feedback(
    message_id: uuid.UUID, data: FeedbackIn, session: SessionDep, user: CurrentUser
) -> FeedbackPublic:
    """Thumbs up or down, an optional 1-5 score, tags and a comment; sending again replaces it."""
    return FeedbackPublic.model_validate(await service.put_feedback(session, user, message_id, data))


@router.delete(
    "/messages/{message_id}/feedback",
    summary="Remove my feedback",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404),
)
async def delete_feedback(message_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> None:
    """Remove the rating; learning forgets it at its next run."""
    await service.delete_feedback(session, user, message_id)
