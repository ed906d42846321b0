"""Health checks and public facts about this deployment."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text

from aigc import __version__
from aigc.core.config import Settings
from aigc.core.db import get_engine
from aigc.platform.schemas import HealthPublic, PlatformInfo

logger = logging.getLogger("aigc.health")

DB_CHECK_TIMEOUT_SECONDS = 3.0


async def check_database() -> str:
    """`ok`, or `error: <short reason>` when the database cannot answer a trivial query in time."""
    try:
        async with asyncio.timeout(DB_CHECK_TIMEOUT_SECONDS):
            async with get_engine().connect() as connection:
                await connection.execute(text("SELECT 1"))
        return "ok"
    except TimeoutError:
        return "error: the database did not answer in time"
    except Exception as exc:  # any driver failure means "unreachable" to an operator
        logger.warning("Database health check failed: %s", exc)
        return f"error: {type(exc).__name__}"


async def health() -> HealthPublic:
    db = await check_database()
    return HealthPublic(status="ok" if db == "ok" else "error", version=__version__, db=db)


def info(settings: Settings) -> PlatformInfo:
    return PlatformInfo(
        name="AIGC Scenario Platform",
        version=__version__,
        registration_mode=settings.registration_mode,
        demo_model=settings.demo_model_enabled,
        default_model=settings.default_model,
    )
