"""My learned preferences (see, edit, pause, reset), and an administrator's view of anyone's."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from aigc.auth.dependencies import AdminUser, CurrentUser
from aigc.core.deps import SessionDep
from aigc.core.errors import error_responses
from aigc.preferences import service
from aigc.preferences.schemas import PreferencesPublic, PreferencesUpdate

router = APIRouter(tags=["preferences"], responses=error_responses(401))


@router.get("/me/preferences", summary="My learned preferences", response_model=PreferencesPublic)
async def get_my_preferences(session: SessionDep, user: CurrentUser) -> PreferencesPublic:
    """What the platform learned from my feedback, and from which ratings."""
    return await service.get_profile(session, user.id)


@router.put(
    "/me/preferences",
    summary="Edit my preferences",
    response_model=PreferencesPublic,
    responses=error_responses(404, 422),
)
async def update_my_preferences(
    changes: PreferencesUpdate, session: SessionDep, user: CurrentUser
) -> PreferencesPublic:
    """Send the full item list (edited, added, left out = removed) and/or pause or resume learning."""
    return await service.update_profile(session, user, changes)


@router.delete("/me/preferences", summary="Reset my preferences", status_code=status.HTTP_204_NO_CONTENT)
async def reset_my_preferences(session: SessionDep, user: CurrentUser) -> None:
    """Forget everything learned; learning starts again from my feedback at its next run."""
    await service.reset(session, user)


@router.get(
    "/users/{user_id}/preferences",
    summary="A user's learned preferences",
    response_model=PreferencesPublic,
    responses=error_responses(403, 404),
)
async def get_user_preferences(
    user_id: uuid.UUID, session: SessionDep, _admin: AdminUser
) -> PreferencesPublic:
    """Administrators can see any user's profile."""
    return await service.get_profile_as_admin(session, user_id)
