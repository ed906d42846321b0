"""Request dependencies: the database session, the signed-in user, the admin guard."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.config import Settings, get_settings
from aigc.core.db import session_scope
from aigc.core.errors import AuthenticationError, PermissionDeniedError
from aigc.core.security import decode_access_token
from aigc.users.models import User

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response is sent."""
    async with session_scope(write=request.method not in READ_ONLY_METHODS) as session:
        yield session


# scope="function": commit before the response goes out, so a failed commit is never reported as success.
SessionDep = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_current_user(
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> User:
    """The user behind a valid, current access token; 401 for anything else.

    The lookup is its own short read, so authenticating never holds the request's write transaction
    (a turn started by the request saves its rows in a transaction of its own).
    """
    if not token:
        raise AuthenticationError("Sign in to use this endpoint")
    claims = decode_access_token(settings, token)
    if claims is None:
        raise AuthenticationError("The access token is invalid or has expired")
    async with session_scope(write=False) as session:
        user = await session.get(User, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("This account does not exist or has been disabled")
    if user.token_version != claims.token_version:
        raise AuthenticationError("The access token was revoked; sign in again")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin_user(user: CurrentUser) -> User:
    if not user.is_admin:
        raise PermissionDeniedError("Only administrators can do this")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
