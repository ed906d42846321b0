"""Sign-in, token rotation, sign-out and password changes."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.auth import repository
from aigc.auth.exceptions import AccountDisabledError
from aigc.auth.models import RefreshToken
from aigc.auth.schemas import TokenPair
from aigc.auth.throttle import LoginThrottle
from aigc.core.config import Settings
from aigc.core.errors import AppError, AuthenticationError, PermissionDeniedError
from aigc.core.models import utcnow
from aigc.core.security import (
    create_access_token,
    hash_password,
    hash_refresh_token,
    new_refresh_token,
    verify_password,
)
from aigc.users import service as user_service
from aigc.users.models import User
from aigc.users.schemas import UserCreate, UserRegister

logger = logging.getLogger("aigc.auth")

INVALID_CREDENTIALS = "Incorrect username or password"
# Two tabs restoring a session at once present the same cookie: a rotated token used again this soon, while
# its family still has a live token, is a concurrent refresh rather than theft.
REFRESH_REUSE_GRACE = timedelta(seconds=10)


async def register(session: AsyncSession, settings: Settings, data: UserRegister) -> User:
    """Self-service sign-up, allowed only in the open registration mode."""
    if settings.registration_mode != "open":
        raise PermissionDeniedError(
            "Registration is closed on this platform; ask an administrator for an account",
            code="registration_closed",
        )
    return await user_service.create_user(session, settings, UserCreate(**data.model_dump()))


async def login(
    session: AsyncSession,
    settings: Settings,
    login_name: str,
    password: str,
    client_ip: str,
    user_agent: str | None,
) -> TokenPair:
    """Check credentials under the throttle; unknown users and wrong passwords look the same.

    Only the holder of the right password learns that the account is disabled.
    """
    account = login_name.strip().lower()
    throttle = LoginThrottle(settings)
    await throttle.check(account, client_ip)
    user = await user_service.find_by_login(session, account)
    valid = verify_password(settings, password, user.password_hash if user else None)
    if user is None or not valid:
        await throttle.record_failure(account)
        logger.info("Failed sign-in for %r from %s", account, client_ip)
        raise AuthenticationError(INVALID_CREDENTIALS, code="invalid_credentials")
    if not user.is_active:
        logger.info("Sign-in to disabled account %r from %s", account, client_ip)
        raise AccountDisabledError()
    await throttle.record_success(account)
    user.last_login_at = utcnow()
    session.add(user)
    return await _issue_tokens(session, settings, user, family_id=uuid.uuid4(), user_agent=user_agent)


async def refresh(
    session: AsyncSession, settings: Settings, raw_token: str | None, user_agent: str | None
) -> TokenPair:
    """Rotate a refresh token; presenting an already-rotated token revokes its whole family (theft signal)."""
    if not raw_token:
        raise AuthenticationError("No refresh token; sign in again", code="refresh_missing")
    stored = await repository.get_by_hash(session, hash_refresh_token(raw_token))
    now = utcnow()
    if stored is None:
        raise AuthenticationError("The refresh token is not valid; sign in again", code="refresh_invalid")
    if stored.revoked_at is not None and not (
        now - stored.revoked_at <= REFRESH_REUSE_GRACE
        and await repository.family_has_live_token(session, stored.family_id, now)
    ):
        await repository.revoke_family(session, stored.family_id, now)
        logger.warning("Reuse of a rotated refresh token for user %s; family revoked", stored.user_id)
        raise AuthenticationError(
            "The refresh token was already used; sign in again", code="refresh_reused", keep_changes=True
        )
    if stored.expires_at <= now:
        raise AuthenticationError("The sign-in has expired; sign in again", code="refresh_expired")
    user = await user_service.find_user(session, stored.user_id)
    if user is None or not user.is_active:
        raise AuthenticationError("This account does not exist or has been disabled")
    if stored.revoked_at is None:
        stored.revoked_at = now
        session.add(stored)
    return await _issue_tokens(session, settings, user, family_id=stored.family_id, user_agent=user_agent)


async def logout(session: AsyncSession, raw_token: str | None) -> None:
    """Revoke the presented refresh token; signing out twice is not an error."""
    if not raw_token:
        return
    stored = await repository.get_by_hash(session, hash_refresh_token(raw_token))
    if stored is not None:
        await repository.revoke_family(session, stored.family_id, utcnow())


async def change_password(
    session: AsyncSession, settings: Settings, user: User, current: str, new: str, user_agent: str | None
) -> TokenPair:
    """Set a new password, end every other sign-in, and hand back fresh tokens for this one."""
    if not verify_password(settings, current, user.password_hash):
        raise AppError("The current password is not correct", code="wrong_password", status_code=400)
    if current == new:
        raise AppError("The new password must differ from the current one", code="password_unchanged")
    now = utcnow()
    user.password_hash = hash_password(settings, new)
    user.token_version += 1
    session.add(user)
    await repository.revoke_all_for_user(session, user.id, now)
    return await _issue_tokens(session, settings, user, family_id=uuid.uuid4(), user_agent=user_agent)


async def _issue_tokens(
    session: AsyncSession, settings: Settings, user: User, family_id: uuid.UUID, user_agent: str | None
) -> TokenPair:
    access, lifetime = create_access_token(settings, user.id, user.token_version)
    raw_refresh = new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            token_hash=hash_refresh_token(raw_refresh),
            family_id=family_id,
            expires_at=utcnow() + timedelta(days=settings.refresh_token_expire_days),
            user_agent=(user_agent or "")[:255] or None,
        )
    )
    await session.flush()
    return TokenPair(access_token=access, refresh_token=raw_refresh, expires_in=lifetime)
