"""A config reload reaches every process: with REDIS_URL, a reload on one replica makes the others reload."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from redis.asyncio import Redis

from aigc.core.config import Settings, load_settings
from aigc.core.errors import AppError
from aigc.main import create_app
from aigc.platform.config_broadcast import ConfigBroadcast
from aigc.users.models import Role
from tests.factories import signed_in_user
from tests.storage.helpers import free_port

URL = "/api/v1/platform/reload-config"
REDIS_URL = "redis://127.0.0.1:6379/13"  # this helper's test database


@dataclass
class Replica:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings

    @property
    def broadcast(self) -> ConfigBroadcast:
        return self.app.state.config_broadcast  # type: ignore[no-any-return]


@asynccontextmanager
async def replica() -> AsyncIterator[Replica]:
    """One more `aigc serve` with REDIS_URL: its own settings, agents and Redis listener, same database."""
    settings = load_settings(redis_url=REDIS_URL)
    app = create_app(settings, configure_logs=False)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Replica(app, client, settings)


async def eventually(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.02)


async def test_a_reload_on_one_replica_reaches_the_other(monkeypatch: pytest.MonkeyPatch) -> None:
    async with replica() as first, replica() as second:
        admin = await signed_in_user(first.client, role=Role.admin)
        monkeypatch.setenv("DEFAULT_MODEL", "haiku")
        monkeypatch.setenv("AGENT_STALL_TIMEOUT_SECONDS", "7")
        response = await first.client.post(URL, headers=admin.headers)
        assert response.status_code == 200, response.text
        assert first.settings.default_model == "haiku"

        await eventually(lambda: second.settings.default_model == "haiku")
        assert second.settings.agent_stall_timeout_seconds == 7.0
        assert second.app.state.turns.runtime.config.stall_timeout == 7.0


async def test_a_replica_disconnected_during_the_reload_catches_up(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async with replica() as first, replica() as second:
        admin = await signed_in_user(first.client, role=Role.admin)
        monkeypatch.setenv("DEFAULT_MODEL", "haiku")
        # Cut the second replica's subscription, then reload while it is away.
        redis = Redis.from_url(REDIS_URL)
        try:
            name = f"aigc-config-{second.broadcast.origin}"
            ids = [c["id"] for c in await redis.client_list() if c.get("name") == name]
            assert ids
            for client_id in ids:
                await redis.client_kill_filter(_id=client_id)
        finally:
            await redis.aclose()
        with caplog.at_level(logging.INFO, "aigc.config"):
            assert (await first.client.post(URL, headers=admin.headers)).status_code == 200
            await eventually(lambda: second.settings.default_model == "haiku")
        assert "missed while disconnected" in caplog.text


async def test_an_unreachable_redis_is_reported_with_503() -> None:
    broadcast = ConfigBroadcast(load_settings(redis_url=f"redis://127.0.0.1:{free_port()}/13"), lambda: None)
    try:
        with pytest.raises(AppError) as refused:
            await broadcast.announce()
    finally:
        await broadcast.stop()
    assert refused.value.status_code == 503 and "reloaded in this process" in refused.value.message


async def test_without_redis_there_is_no_broadcast(app: FastAPI) -> None:
    assert app.state.config_broadcast is None
