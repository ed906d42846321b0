"""One configuration per app: settings given to create_app are the ones its requests read."""

from __future__ import annotations

import httpx

from aigc.core.config import get_settings, load_settings
from aigc.main import create_app


async def test_requests_read_the_settings_the_app_was_built_with() -> None:
    assert get_settings().registration_mode == "open"
    app = create_app(load_settings(registration_mode="admin_only"), configure_logs=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        info = (await client.get("/api/v1/platform/info")).json()
    assert info["registration_mode"] == "admin_only"


async def test_the_default_app_reads_get_settings() -> None:
    app = create_app(configure_logs=False)
    assert not app.dependency_overrides
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        info = (await client.get("/api/v1/platform/info")).json()
    assert info["registration_mode"] == get_settings().registration_mode == "open"
