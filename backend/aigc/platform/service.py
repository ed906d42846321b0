"""Health checks and public facts about this deployment."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import httpx
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


MODEL_CHECK_TIMEOUT_SECONDS = 2.0
MODEL_CHECK_CACHE_SECONDS = 30.0
_model_check: tuple[float, str] | None = None


def model_endpoint(settings: Settings) -> tuple[str, str]:
    """The base URL and key the agents use (the scripted model's in demo mode)."""
    if settings.demo_model_enabled:
        return settings.anthropic_base_url or f"http://127.0.0.1:{settings.demo_model_port}", "demo"
    assert settings.anthropic_api_key is not None
    return (
        settings.anthropic_base_url or "https://api.anthropic.com",
        settings.anthropic_api_key.get_secret_value(),
    )


async def check_model_endpoint(settings: Settings) -> str:
    """Informational: can the model endpoint be reached with the configured key? Cached for a short while."""
    global _model_check
    now = time.monotonic()
    if _model_check is not None and now - _model_check[0] < MODEL_CHECK_CACHE_SECONDS:
        return _model_check[1]
    base_url, key = model_endpoint(settings)
    try:
        async with httpx.AsyncClient(timeout=MODEL_CHECK_TIMEOUT_SECONDS) as client:
            response = await client.get(
                f"{base_url.rstrip('/')}/v1/models",
                headers={"x-api-key": key, "anthropic-version": "2023-06-01"},
            )
        if response.status_code in (401, 403):
            result = "error: the model endpoint refused the API key"
        elif response.status_code >= 500:
            result = f"error: the model endpoint answered {response.status_code}"
        else:
            result = "ok (demo model)" if settings.demo_model_enabled else "ok"
    except httpx.HTTPError as exc:
        result = f"unreachable: {type(exc).__name__}"
    _model_check = (now, result)
    return result


async def health(state: Any, settings: Settings) -> HealthPublic:
    """Every part's state; the whole is ok only when each part is ok (a disabled scheduler is fine).

    The model endpoint is reported but does not fail the check: the platform itself still works without it.
    """
    db, storage, model = await asyncio.gather(
        check_database(), check_storage(getattr(state, "storage", None)), check_model_endpoint(settings)
    )
    scheduler = state.scheduler.state if getattr(state, "scheduler", None) else "error: not started"
    turns = getattr(state, "turns", None)
    turn_engine = await turns.health() if turns is not None and hasattr(turns, "health") else "embedded"
    healthy = (
        db == "ok"
        and storage == "ok"
        and scheduler in ("ok", "disabled")
        and not turn_engine.startswith("error")
    )
    # The first call probes bwrap and the cgroups (a process start); later ones are cached.
    runtime = turns.runtime if turns else None
    shell_sandbox = (
        str((await asyncio.to_thread(runtime.sandbox_status))["summary"])
        if runtime
        else ("on the workers" if turns else "")
    )
    return HealthPublic(
        status="ok" if healthy else "error",
        version=__version__,
        db=db,
        storage=storage,
        scheduler=scheduler,
        model=model,
        turns=turn_engine,
        shell_sandbox=shell_sandbox,
    )


def info(settings: Settings) -> PlatformInfo:
    return PlatformInfo(
        name="AIGC Scenario Platform",
        version=__version__,
        registration_mode=settings.registration_mode,
        demo_model=settings.demo_model_enabled,
        default_model=settings.default_model,
    )
