"""Queries on refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.auth.models import RefreshToken


async def get_by_hash(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    result = await session.exec(select(RefreshToken).where(RefreshToken.token_hash == token_hash))
    return result.first()


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, when: datetime) -> None:
    await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.family_id) == family_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=when)
    )


async def revoke_all_for_user(session: AsyncSession, user_id: uuid.UUID, when: datetime) -> None:
    await session.exec(
        update(RefreshToken)
        .where(col(RefreshToken.user_id) == user_id, col(RefreshToken.revoked_at).is_(None))
        .values(revoked_at=when)
    )


async def family_has_live_token(session: AsyncSession, family_id: uuid.UUID, now: datetime) -> bool:
    result = await session.exec(
        select(RefreshToken.id).where(
            col(RefreshToken.family_id) == family_id,
            col(RefreshToken.revoked_at).is_(None),
            col(RefreshToken.expires_at) > now,
        )
    )
    return result.first() is not None
