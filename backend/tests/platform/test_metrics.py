"""GET /metrics: Prometheus text with request, agent, turn, token, cost and job figures."""

from __future__ import annotations

import re

import httpx
import pytest

from aigc.core.config import reset_settings_cache
from aigc.mock_model.testing import MockModelServer
from tests.factories import signed_in_user


def value(text: str, sample: str) -> float:
    match = re.search(rf"^{re.escape(sample)} ([0-9.e+-]+)$", text, re.MULTILINE)
    assert match, f"{sample} not in metrics"
    return float(match.group(1))


async def test_metrics_cover_requests_turns_and_agents(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    before = (await client.get("/metrics")).text
    ok_turns_before = (
        value(before, 'aigc_turns_total{status="ok"}') if 'aigc_turns_total{status="ok"}' in before else 0
    )
    user = await signed_in_user(client)
    session_id = (await client.post("/api/v1/sessions", json={}, headers=user.headers)).json()["id"]
    await client.post(
        f"/api/v1/sessions/{session_id}/messages", json={"content": "Hello"}, headers=user.headers
    )
    await client.get(f"/api/v1/sessions/{session_id}", headers=user.headers)
    await client.get("/api/v1/definitely-not-here")

    response = await client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert value(text, 'aigc_turns_total{status="ok"}') == ok_turns_before + 1
    assert value(text, 'aigc_tokens_total{direction="output"}') > 0
    assert 'aigc_http_requests_total{method="GET",route="/api/v1/sessions/{session_id}",status="200"}' in text
    assert session_id not in text, "raw paths must not become label values"
    assert 'route="unmatched",status="404"' in text
    assert value(text, "aigc_agent_runs_active") == 0 and value(text, "aigc_agent_run_limit") == 4
    assert "aigc_http_request_duration_seconds_bucket" in text and "aigc_cost_usd_total" in text


async def test_metrics_token(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICS_TOKEN", "scrape-secret-123")
    reset_settings_cache()
    assert (await client.get("/metrics")).status_code == 401
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
    assert (
        await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-123"})
    ).status_code == 200
