"""POST /platform/reload-config: run-time settings change without a restart; bad ones change nothing."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from aigc.core.config import get_settings
from aigc.users.models import Role
from tests.factories import signed_in_user

URL = "/api/v1/platform/reload-config"


async def test_reload_applies_runtime_settings_and_reports_the_rest(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await signed_in_user(client, role=Role.admin)
    settings, runtime = get_settings(), app.state.turns.runtime
    before = (
        settings.default_model,
        settings.agent_stall_timeout_seconds,
        runtime.config.stall_timeout,
        settings.port,
    )
    monkeypatch.setenv("DEFAULT_MODEL", "haiku")
    monkeypatch.setenv("AGENT_STALL_TIMEOUT_SECONDS", "7")
    monkeypatch.setenv("MODEL_ALIASES", '{"sonnet": "claude-sonnet-4-5", "haiku": "claude-haiku-9"}')
    monkeypatch.setenv("PORT", "9999")
    try:
        response = await client.post(URL, headers=admin.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["changed"]["default_model"] == ["sonnet", "haiku"]
        assert body["changed"]["agent_stall_timeout_seconds"] == [4.0, 7.0]
        assert "port" in body["restart_required"] and "port" not in body["changed"]
        assert settings.resolve_model(None) == "claude-haiku-9" and runtime.config.stall_timeout == 7.0
        assert settings.port == before[3]
    finally:
        monkeypatch.undo()
        await client.post(URL, headers=admin.headers)
    assert (
        settings.default_model,
        settings.agent_stall_timeout_seconds,
        runtime.config.stall_timeout,
    ) == before[:3]


async def test_an_invalid_change_keeps_the_old_values(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await signed_in_user(client, role=Role.admin)
    monkeypatch.setenv("AGENT_STALL_TIMEOUT_SECONDS", "-5")
    response = await client.post(URL, headers=admin.headers)
    assert response.status_code == 422 and response.json()["code"] == "invalid_config"
    assert "AGENT_STALL_TIMEOUT_SECONDS" in response.json()["message"]
    assert get_settings().agent_stall_timeout_seconds == 4.0


async def test_only_admins(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    assert (await client.post(URL)).status_code == 401
    assert (await client.post(URL, headers=user.headers)).status_code == 403
