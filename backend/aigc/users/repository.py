"""Every query on users."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.users.models import User


async def get(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await session.get(User, user_id)


async def get_by_username(session: AsyncSession, username: str) -> User | None:
    result = await session.exec(select(User).where(User.username == username.lower()))
    return result.first()


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.exec(select(User).where(User.email == email.lower()))
    return result.first()


async def get_by_login(session: AsyncSession, login: str) -> User | None:
    """Find a user by username or email, the two things a person may type at sign-in."""
    normalised = login.strip().lower()
    result = await session.exec(
        select(User).where(or_(col(User.username) == normalised, col(User.email) == normalised))
    )
    return result.first()


async def search(session: AsyncSession, text: str | None, offset: int, limit: int) -> tuple[list[User], int]:
    query = select(User)
    if text:
        pattern = f"%{text.strip().lower()}%"
        query = query.where(
            or_(
                col(User.username).ilike(pattern),
                col(User.email).ilike(pattern),
                col(User.display_name).ilike(pattern),
            )
        )
    count = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(
        query.order_by(col(User.created_at).desc(), col(User.id)).offset(offset).limit(limit)
    )
    return list(rows.all()), int(count)
