"""Admin endpoints for accounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aigc.auth.dependencies import AdminUser
from aigc.core.deps import SessionDep, SettingsDep
from aigc.core.errors import error_responses
from aigc.users import service
from aigc.users.schemas import UserCreate, UserPublic, UsersPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=error_responses(401, 403))


@router.get("", summary="List users", response_model=UsersPublic)
async def list_users(
    session: SessionDep,
    _admin: AdminUser,
    search: Annotated[
        str | None, Query(max_length=100, description="Matches username, email or name")
    ] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> UsersPublic:
    """Page through accounts, newest first."""
    return await service.list_users(session, search, offset, limit)


@router.post(
    "",
    summary="Create a user",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(409, 422),
)
async def create_user(
    data: UserCreate, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> UserPublic:
    """Create an account with a chosen role (works in every registration mode)."""
    return UserPublic.model_validate(await service.create_user(session, settings, data))


@router.get("/{user_id}", summary="Get a user", response_model=UserPublic, responses=error_responses(404))
async def get_user(user_id: uuid.UUID, session: SessionDep, _admin: AdminUser) -> UserPublic:
    """One account."""
    return UserPublic.model_validate(await service.get_user(session, user_id))


@router.patch(
    "/{user_id}", summary="Update a user", response_model=UserPublic, responses=error_responses(404, 409, 422)
)
async def update_user(
    user_id: uuid.UUID, changes: UserUpdate, session: SessionDep, admin: AdminUser
) -> UserPublic:
    """Change role, enable or disable, or rename an account."""
    return UserPublic.model_validate(await service.update_user(session, admin, user_id, changes))


@router.delete(
    "/{user_id}",
    summary="Delete a user",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 409),
)
async def delete_user(user_id: uuid.UUID, session: SessionDep, admin: AdminUser) -> None:
    """Delete an account and everything it owns."""
    await service.delete_user(session, admin, user_id)
