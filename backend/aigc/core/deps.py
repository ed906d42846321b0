"""Request dependencies every domain shares: the database session and the settings.

Who is calling (CurrentUser, AdminUser) is the auth domain's answer: aigc.auth.dependencies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.config import Settings, get_settings
from aigc.core.db import session_scope

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_db_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed before the response is sent."""
    async with session_scope(write=request.method not in READ_ONLY_METHODS) as session:
        yield session


# scope="function": commit before the response goes out, so a failed commit is never reported as success.
SessionDep = Annotated[AsyncSession, Depends(get_db_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
