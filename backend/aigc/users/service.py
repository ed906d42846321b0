"""Rules for accounts: creation, administration, and the guard that keeps an admin able to sign in."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.config import Settings
from aigc.core.errors import AppError, ConflictError, NotFoundError
from aigc.core.security import hash_password
from aigc.scenarios import service as scenario_service
from aigc.users import repository
from aigc.users.models import Role, User
from aigc.users.schemas import UserCreate, UsersPublic, UserUpdate


async def create_user(session: AsyncSession, settings: Settings, data: UserCreate) -> User:
    """Create an account; usernames and emails are unique without regard to case."""
    username = data.username.lower()
    email = data.email.lower() if data.email else None
    if await repository.get_by_username(session, username):
        raise ConflictError(f"The username '{username}' is already taken", code="username_taken")
    if email and await repository.get_by_email(session, email):
        raise ConflictError("An account with this email already exists", code="email_taken")
    user = User(
        username=username,
        email=email,
        display_name=data.display_name,
        password_hash=hash_password(settings, data.password),
        role=data.role.value,
    )
    session.add(user)
    await session.flush()
    return user


async def find_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    """The user with this id, or None (sign-in checks decide what a missing user means)."""
    return await repository.get(session, user_id)


async def find_by_login(session: AsyncSession, login: str) -> User | None:
    """The user whose username or email this is (what a person may type at sign-in), or None."""
    return await repository.get_by_login(session, login)


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await repository.get(session, user_id)
    if user is None:
        raise NotFoundError("No such user")
    return user


async def list_users(session: AsyncSession, search: str | None, offset: int, limit: int) -> UsersPublic:
    users, count = await repository.search(session, search, offset, limit)
    return UsersPublic.model_validate({"items": users, "count": count}, from_attributes=True)


async def update_user(session: AsyncSession, actor: User, user_id: uuid.UUID, changes: UserUpdate) -> User:
    """Change role, status or display name.

    The acting admin cannot demote, disable or delete themself; since every actor is an active admin,
    that alone guarantees the platform always keeps one administrator able to sign in.
    """
    user = await get_user(session, user_id)
    demoting = changes.role is not None and changes.role != Role.admin and user.is_admin
    disabling = changes.is_active is False and user.is_active
    if (demoting or disabling) and user.id == actor.id:
        raise AppError("You cannot demote or disable your own account", code="self_lockout", status_code=409)
    if changes.role is not None:
        user.role = changes.role.value
    if changes.is_active is not None:
        user.is_active = changes.is_active
    if "display_name" in changes.model_fields_set:
        user.display_name = changes.display_name
    session.add(user)
    await session.flush()
    return user


async def delete_user(session: AsyncSession, actor: User, user_id: uuid.UUID) -> None:
    user = await get_user(session, user_id)
    if user.id == actor.id:
        raise AppError("You cannot delete your own account", code="self_lockout", status_code=409)
    await scenario_service.delete_private_scenarios_of(session, user.id)
    await session.delete(user)
    await session.flush()


async def ensure_admin(
    session: AsyncSession, settings: Settings, username: str, password: str | None, email: str | None = None
) -> tuple[User, bool]:
    """Create an admin, or promote (and optionally re-password) an existing account; returns (user, created)."""
    existing = await repository.get_by_username(session, username)
    if existing is None:
        if not password:
            raise AppError("A password is needed to create a new administrator", code="password_required")
        data = UserCreate(username=username, password=password, email=email, role=Role.admin)
        return await create_user(session, settings, data), True
    existing.role = Role.admin.value
    existing.is_active = True
    if password:
        existing.password_hash = hash_password(settings, password)
        existing.token_version += 1
    session.add(existing)
    await session.flush()
    return existing, False
