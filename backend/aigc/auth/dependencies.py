"""Who is calling: the signed-in user and the administrator guard, as FastAPI dependencies for every router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from aigc.core.db import session_scope
from aigc.core.deps import SettingsDep
from aigc.core.errors import AuthenticationError, PermissionDeniedError
from aigc.core.security import decode_access_token
from aigc.users import service as user_service
from aigc.users.models import User

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


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
        user = await user_service.find_user(session, claims.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("This account does not exist or has been disabled")
    if user.token_version != claims.token_version:
        raise AuthenticationError("The access token was revoked; sign in again")
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_admin_user(user: CurrentUser) -> User:
    """The signed-in user when they are an administrator; 403 otherwise."""
    if not user.is_admin:
        raise PermissionDeniedError("Only administrators can do this")
    return user


AdminUser = Annotated[User, Depends(get_admin_user)]
