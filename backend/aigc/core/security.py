"""Password hashing (argon2id) and signed access tokens (JWT, HS256 only)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from jose import JWTError, jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from aigc.core.config import Settings

JWT_ALGORITHM = "HS256"
# Decoding accepts only this list, so `alg: none` and algorithm swaps are refused by the library.
ALLOWED_JWT_ALGORITHMS = [JWT_ALGORITHM]
ACCESS_TOKEN_TYPE = "access"


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int) -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_cost),))


def password_hasher(settings: Settings) -> PasswordHash:
    """The argon2id hasher with the configured cost."""
    return _hasher(settings.argon2_time_cost, settings.argon2_memory_cost)


def hash_password(settings: Settings, password: str) -> str:
    return password_hasher(settings).hash(password)


def verify_password(settings: Settings, password: str, password_hash: str | None) -> bool:
    """Check a password; with no hash, still spend the same time so unknown users are not revealed."""
    hasher = password_hasher(settings)
    if password_hash is None:
        hasher.verify(password, _dummy_hash(settings.argon2_time_cost, settings.argon2_memory_cost))
        return False
    try:
        return hasher.verify(password, password_hash)
    except Exception:  # a corrupted or foreign hash is a failed login, not a server error
        return False


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int) -> str:
    return _hasher(time_cost, memory_cost).hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class AccessClaims:
    """What a valid access token says."""

    user_id: uuid.UUID
    token_version: int
    expires_at: datetime


def create_access_token(settings: Settings, user_id: uuid.UUID, token_version: int) -> tuple[str, int]:
    """Sign an access token; returns the token and its lifetime in seconds."""
    now = datetime.now(UTC)
    lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    claims = {
        "sub": str(user_id),
        "ver": token_version,
        "type": ACCESS_TOKEN_TYPE,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": secrets.token_hex(8),
    }
    token = jwt.encode(claims, settings.jwt_secret(), algorithm=JWT_ALGORITHM)
    return token, int(lifetime.total_seconds())


def decode_access_token(settings: Settings, token: str) -> AccessClaims | None:
    """Verify signature, algorithm, expiry and shape; None for anything that is not a valid access token."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") not in ALLOWED_JWT_ALGORITHMS:
            return None
        payload = jwt.decode(
            token,
            settings.jwt_secret(),
            algorithms=ALLOWED_JWT_ALGORITHMS,
            options={"require_exp": True, "require_sub": True, "require_iat": True},
        )
    except (JWTError, ValueError, TypeError):
        return None
    if payload.get("type") != ACCESS_TOKEN_TYPE or not isinstance(payload.get("ver"), int):
        return None
    try:
        user_id = uuid.UUID(str(payload["sub"]))
    except ValueError:
        return None
    return AccessClaims(
        user_id=user_id,
        token_version=payload["ver"],
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
    )


def new_refresh_token() -> str:
    """An opaque refresh token; only its hash is stored, so a database leak does not leak sessions."""
    return secrets.token_urlsafe(48)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
