"""Health checks and public facts about this deployment."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import text

from aigc import __version__
from aigc.core.config import Settings
from aigc.core.db import get_engine
from aigc.platform.schemas import HealthPublic, PlatformInfo
from aigc.storage import ArtifactStorage

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


async def check_storage(storage: ArtifactStorage | None) -> str:
    if storage is None:
        return "error: not started"
    try:
        async with asyncio.timeout(DB_CHECK_TIMEOUT_SECONDS):
            await storage.check()
        return "ok"
    except TimeoutError:
        return "error: the artifact store did not answer in time"
    except Exception as exc:
        logger.warning("Storage health check failed: %s", exc)
        return f"error: {exc}"


async def health(state: Any) -> HealthPublic:
    """Every part's state; the whole is ok only when each part is ok (a disabled scheduler is fine)."""
    db, storage = await asyncio.gather(check_database(), check_storage(getattr(state, "storage", None)))
    scheduler = state.scheduler.state if getattr(state, "scheduler", None) else "error: not started"
    healthy = db == "ok" and storage == "ok" and scheduler in ("ok", "disabled")
    return HealthPublic(
        status="ok" if healthy else "error", version=__version__, db=db, storage=storage, scheduler=scheduler
    )


def info(settings: Settings) -> PlatformInfo:
    return PlatformInfo(
        name="AIGC Scenario Platform",
        version=__version__,
        registration_mode=settings.registration_mode,
        demo_model=settings.demo_model_enabled,
        default_model=settings.default_model,
    )
