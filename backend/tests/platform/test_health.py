"""Health: 200 with every part ok; 503 naming the database when it cannot be reached."""

from __future__ import annotations

import httpx
import pytest

from aigc import __version__
from aigc.core.config import reset_settings_cache
from aigc.core.db import dispose_engine


async def test_healthy(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    # bwrap is a test requirement (scripts/test.sh installs it), so the shell sandbox is available here.
    assert body.pop("shell_sandbox").startswith("ok: bwrap allow-list, no network, ")
    assert body == {
        "status": "ok",
        "version": __version__,
        "db": "ok",
        "storage": "ok",
        "scheduler": "disabled",
        "model": "ok (demo model)",
        "turns": "embedded",
    }


async def test_an_unreachable_model_endpoint_is_reported_but_not_fatal(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aigc.platform import service

    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    reset_settings_cache()
    monkeypatch.setattr(service, "_model_check", None)
    response = await client.get("/api/v1/health")
    assert response.status_code == 200 and response.json()["model"].startswith("unreachable")
    monkeypatch.setattr(service, "_model_check", None)


async def test_unreachable_database_is_503(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await dispose_engine()
    # A port nothing listens on: the driver fails to connect, as with a stopped server.
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:9/none")
    reset_settings_cache()
    try:
        response = await client.get("/api/v1/health")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "error" and body["db"].startswith("error:") and body["storage"] == "ok"
    finally:
        await dispose_engine()
        monkeypatch.undo()
        reset_settings_cache()


async def test_platform_info_is_public(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/platform/info")
    assert response.status_code == 200
    body = response.json()
    assert (
        body["registration_mode"] == "open" and body["demo_model"] is True and body["version"] == __version__
    )


async def test_storage_failure_is_503(client: httpx.AsyncClient, app, tmp_path) -> None:
    from aigc.storage import MinioStorage

    healthy = app.state.storage
    # A real S3 client aimed at a port nothing listens on: what a stopped MinIO looks like.
    app.state.storage = MinioStorage(
        "127.0.0.1:9", "key", "secret-key", "bucket", connect_timeout=1, retries=0
    )
    try:
        response = await client.get("/api/v1/health")
        assert response.status_code == 503
        assert response.json()["storage"].startswith("error:") and response.json()["db"] == "ok"
    finally:
        app.state.storage = healthy
