"""Test settings, a migrated database per run (SQLite, or PostgreSQL from TEST_DATABASE_URL), and the app."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

# The test process configures the platform through the environment, exactly as an operator would,
# before any aigc module reads settings.
_RUN_DIR = Path(tempfile.mkdtemp(prefix="aigc-tests-"))
TEST_JWT_SECRET = "test-secret-key-that-is-long-enough-0123456789"
os.environ.update(
    {
        # Never a developer's own .env: only what this file sets.
        "AIGC_ENV_FILE": str(_RUN_DIR / "no.env"),
        "DEBUG": "false",
        "JWT_SECRET_KEY": TEST_JWT_SECRET,
        "DATA_DIR": str(_RUN_DIR / "data"),
        "WORK_DIR": str(_RUN_DIR / "work_dir"),
        "LOG_DIR": str(_RUN_DIR / "logs"),
        "DATABASE_URL": os.environ.get("TEST_DATABASE_URL") or f"sqlite+aiosqlite:///{_RUN_DIR / 'test.db'}",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "1024",
        "REGISTRATION_MODE": "open",
        # Every test client comes from one address; the throttle tests set their own low limits.
        "LOGIN_MAX_ATTEMPTS_PER_IP": "100000",
        "LOG_LEVEL": "INFO",
        # Whether someone built the web app locally must not change what the API tests see.
        "FRONTEND_DIST_DIR": str(_RUN_DIR / "no-frontend-build"),
        # Agent limits small enough that fault tests end quickly.
        "AGENT_MAX_RETRIES": "1",
        "AGENT_STALL_TIMEOUT_SECONDS": "4",
        "AGENT_REQUEST_TIMEOUT_MS": "8000",
        "AGENT_TURN_TIMEOUT_SECONDS": "60",
        "AGENT_MAX_CONCURRENT_RUNS": "4",
        # Tests run jobs explicitly; the scheduler tests start their own.
        "SCHEDULER_ENABLED": "false",
        "PREFERENCE_LEARNING_USE_MODEL": "false",
    }
)
for _name in (
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "MINIO_ENDPOINT",
    "MINIO_ACCESS_KEY",
    "MINIO_SECRET_KEY",
):
    os.environ.pop(_name, None)

import httpx  # noqa: E402
import pytest  # noqa: E402
from asgi_lifespan import LifespanManager  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from sqlalchemy import text  # noqa: E402

from aigc.core.config import Settings, get_settings, reset_settings_cache  # noqa: E402
from aigc.core.db import dispose_engine, get_engine  # noqa: E402
from aigc.core.migrations import upgrade_database  # noqa: E402
from aigc.model_registry import metadata  # noqa: E402

if TYPE_CHECKING:
    from aigc.mock_model.testing import MockModelServer

IS_POSTGRES = os.environ["DATABASE_URL"].startswith("postgresql")


def reset_postgres_schema(url: str) -> None:
    """Start from an empty `public` schema (the test database is dedicated to tests)."""
    import asyncio

    from sqlalchemy.ext.asyncio import create_async_engine

    async def _reset() -> None:
        engine = create_async_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(_reset())


@pytest.fixture(scope="session", autouse=True)
def migrated_database() -> Iterator[None]:
    """Build the schema by running the migrations, so every test run also tests them."""
    if IS_POSTGRES:
        reset_postgres_schema(os.environ["DATABASE_URL"])
    upgrade_database()
    yield


@pytest.fixture
def settings() -> Settings:
    return get_settings()


async def clear_tables() -> None:
    """Empty every table, then put back the rows the migrations seed (the built-in scenarios)."""
    from aigc.migrations.seeds.scenarios_0002 import builtin_scenario_rows

    async with get_engine().begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(table.delete())
        await conn.execute(metadata.tables["scenarios"].insert(), builtin_scenario_rows())


@pytest.fixture(autouse=True)
async def clean_state() -> AsyncIterator[None]:
    """Each test starts with empty tables and fresh login throttles."""
    yield
    reset_settings_cache()
    from aigc.auth.throttle import _limiter

    for limiter in [_limiter(get_settings().rate_limit_storage_uri)]:
        await limiter.storage.reset()
    await clear_tables()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto's server mode) on a free local port, shared by the whole run."""
    from moto.server import ThreadedMotoServer

    from tests.storage.helpers import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
def model_server() -> Iterator[MockModelServer]:
    """The scripted Anthropic-compatible model every agent of the test app talks to (demo mode: no key)."""
    from aigc.mock_model.testing import MockModelServer

    with MockModelServer(stall_seconds=20) as server:
        os.environ["ANTHROPIC_BASE_URL"] = server.url
        reset_settings_cache()
        yield server


@pytest.fixture
def model(model_server: MockModelServer) -> Iterator[MockModelServer]:
    """The scripted model with a clean script, fault queue and request log for one test."""
    model_server.reset()
    yield model_server
    model_server.reset()


@pytest.fixture(scope="session")
async def app(model_server: MockModelServer) -> AsyncIterator[FastAPI]:
    from aigc.main import create_app

    application = create_app()
    async with LifespanManager(application):
        yield application
    await dispose_engine()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
