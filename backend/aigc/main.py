"""Application factory: middleware, routers, error handlers and the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from aigc import __version__
from aigc.agent import runtime_from_settings
from aigc.api import api_router
from aigc.core import tracing
from aigc.core.config import Settings, get_settings
from aigc.core.db import dispose_engine, get_engine, session_scope
from aigc.core.errors import install_error_handlers
from aigc.core.logging import configure_logging
from aigc.core.metrics import RUNTIME_COLLECTOR
from aigc.core.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from aigc.core.migrations import ensure_schema_current
from aigc.ops.runlock import hold_server_lock, server_is_running
from aigc.platform.config_broadcast import start_config_broadcast
from aigc.platform.router import metrics_router
from aigc.scheduler.scheduler import PlatformScheduler
from aigc.sessions import service as sessions_service
from aigc.sessions.turns import LocalTurns, TurnManager
from aigc.sessions.uploads import UPLOAD_PATH
from aigc.spa import mount_spa
from aigc.storage import ArtifactStorage, create_storage

# Each domain registers its scheduled jobs when its jobs module is imported; the scheduler runs them.
from aigc.preferences import jobs as _preference_jobs  # noqa: F401  isort: skip
from aigc.sessions import jobs as _session_jobs  # noqa: F401  isort: skip

logger = logging.getLogger("aigc")


def operation_id(route: APIRoute) -> str:
    """Stable `{tag}-{name}` operation ids keep the generated TypeScript client readable."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


@asynccontextmanager
async def lifespan(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    # Only the first server process may declare running turns dead: with another one up, they are its live turns.
    first_server = not server_is_running(settings)
    # Held for the process's lifetime (each worker holds its own): `aigc restore` refuses while any server does.
    with hold_server_lock(settings):
        await ensure_schema_current(get_engine())
        # Scaled out, running turns belong to the workers, however many web replicas come and go.
        if first_server and not settings.scale_out:
            async with session_scope() as session:
                interrupted = await sessions_service.fail_interrupted_turns(session)
            if interrupted:
                logger.warning(
                    "Marked %d turns left running by a previous server process as failed", interrupted
                )
        app.state.storage = create_storage(settings)
        app.state.turns = _turn_manager(settings, app.state.storage)
        RUNTIME_COLLECTOR.runtime = app.state.turns.runtime
        app.state.scheduler = PlatformScheduler(settings, app.state)
        app.state.scheduler.start()
        # With REDIS_URL, a config reload in any process reaches this one (None otherwise).
        app.state.config_broadcast = await start_config_broadcast(settings, lambda: app.state.turns.runtime)
        logger.info(
            "AIGC platform %s started (database: %s, storage: %s, model: %s)",
            __version__,
            "sqlite" if settings.is_sqlite else "postgresql",
            app.state.storage.backend_name,
            "demo" if settings.demo_model_enabled else "anthropic",
        )
        try:
            yield
        finally:
            if app.state.config_broadcast is not None:
                await app.state.config_broadcast.stop()
            app.state.scheduler.shutdown()
            await app.state.turns.shutdown()
            await dispose_engine()
            logger.info("AIGC platform stopped")


def _turn_manager(settings: Settings, storage: ArtifactStorage) -> TurnManager:
    """Turns in this process (the default), or on `aigc worker` processes when BROKER_URL is set."""
    if not settings.scale_out:
        return LocalTurns(runtime_from_settings(), storage)
    from aigc.core.redis import redis_client
    from aigc.sessions.distributed import DistributedTurns
    from aigc.worker.celery_app import broker_check, dispatcher, make_celery

    celery = make_celery(settings)
    turns = DistributedTurns(
        settings, redis_client(settings.redis_url), dispatcher(celery), broker_check=broker_check(celery)
    )
    turns.start_sweeping()
    return turns


def create_app(settings: Settings | None = None, *, configure_logs: bool = True) -> FastAPI:
    """Build the ASGI app from the process's settings (`get_settings()`).

    Tests may pass other settings: the app then hands those to every request too (through the override of
    `get_settings`), so the app and its requests never read two different configurations.
    """
    given = settings is not None
    settings = settings or get_settings()
    if configure_logs:
        configure_logging(settings)
    app = FastAPI(
        title="AIGC Scenario Platform",
        version=__version__,
        lifespan=partial(lifespan, settings=settings),
        generate_unique_id_function=operation_id,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    if given:
        app.dependency_overrides[get_settings] = lambda: settings
    install_error_handlers(app)
    # Before the lifespan builds the engine, so that its statements are traced too (off: nothing loaded).
    if tracing.setup_tracing(settings, "web"):
        tracing.instrument_app(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Request-ID", "Retry-After"],
    )
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_request_body_bytes,
        larger=(UPLOAD_PATH, max(settings.max_request_body_bytes, settings.upload_max_request_bytes)),
    )
    app.add_middleware(RequestContextMiddleware)
    app.include_router(api_router)
    app.include_router(metrics_router)
    mount_spa(app, settings.frontend_dist_dir)
    return app
