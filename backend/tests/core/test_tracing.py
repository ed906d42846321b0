"""Tracing in the embedded mode: a turn is a `turn` span under its request, with tokens, cost and outcome.

The app here is one of its own with an in-memory exporter (the session's app runs untraced, as the
default does). Across the queue to a worker: tests/scaleout/test_tracing.py.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from aigc.core import tracing
from aigc.core.config import ConfigError, load_settings
from aigc.core.db import dispose_engine
from aigc.main import create_app
from aigc.mock_model.testing import MockModelServer
from tests.factories import signed_in_user
from tests.sse import parse

API = "/api/v1"
MESSAGES_ROUTE = f"POST {API}/sessions/{{session_id}}/messages"


@pytest.fixture
async def traced(model: MockModelServer) -> AsyncIterator[tuple[httpx.AsyncClient, InMemorySpanExporter]]:
    """An app with tracing on, its spans kept in memory; tracing is off again afterwards."""
    exporter = InMemorySpanExporter()
    settings = load_settings()
    tracing.setup_tracing(settings, "web", exporter=exporter)
    await dispose_engine()  # built again, now with spans for its statements
    try:
        app = create_app(settings, configure_logs=False)
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client, exporter
    finally:
        tracing.shutdown_tracing()
        await dispose_engine()


async def ended_span(exporter: InMemorySpanExporter, name: str, timeout: float = 10.0) -> ReadableSpan:
    """The span once it has ended: the turn's ends just after its stream's last event."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [s for s in exporter.get_finished_spans() if s.name == name]
        if found:
            return found[-1]
        assert asyncio.get_running_loop().time() < deadline, f"no {name!r} span"
        await asyncio.sleep(0.05)


async def chat(client: httpx.AsyncClient, content: str) -> tuple[str, list[Any]]:
    user = await signed_in_user(client)
    session = await client.post(f"{API}/sessions", json={}, headers=user.headers)
    session_id = session.json()["id"]
    response = await client.post(
        f"{API}/sessions/{session_id}/messages", json={"content": content}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return session_id, parse(response.text)


async def test_a_turn_is_a_span_under_its_request_with_tokens_cost_and_status(
    traced: tuple[httpx.AsyncClient, InMemorySpanExporter],
) -> None:
    client, exporter = traced
    session_id, events = await chat(client, "Hello, tracing")
    assert events[-1].data["status"] == "ok"
    usage = next(e.data for e in events if e.event == "usage")

    turn = await ended_span(exporter, "turn")
    request = await ended_span(exporter, MESSAGES_ROUTE)
    assert request.kind == SpanKind.SERVER
    assert turn.context.trace_id == request.context.trace_id
    assert turn.parent is not None and turn.parent.span_id == request.context.span_id

    attributes = dict(turn.attributes or {})
    assert attributes["aigc.session.id"] == session_id
    assert attributes["aigc.turn.id"] == events[-1].data["message_id"]
    assert attributes["aigc.turn.status"] == "ok"
    assert attributes["aigc.turn.model"] == "claude-sonnet-4-5"
    assert attributes["aigc.turn.input_tokens"] == usage["input_tokens"] > 0
    assert attributes["aigc.turn.output_tokens"] == usage["output_tokens"] > 0
    assert attributes["aigc.turn.cost_usd"] == pytest.approx(usage["cost_usd"])
    assert attributes["aigc.turn.cost_usd"] > 0
    assert turn.status.status_code != StatusCode.ERROR

    # The turn's statements (saving the reply) are in the same trace, below the turn.
    in_trace = [s for s in exporter.get_finished_spans() if s.context.trace_id == turn.context.trace_id]
    statements = [s for s in in_trace if (s.attributes or {}).get("db.system")]
    assert any(s.parent is not None and s.parent.span_id == turn.context.span_id for s in statements)
    # One span per request, not one per SSE event sent.
    assert not [s for s in in_trace if s.name.endswith(" http send")]


async def test_a_failed_turn_is_an_error_span_and_probes_make_no_trace(
    traced: tuple[httpx.AsyncClient, InMemorySpanExporter], model: MockModelServer
) -> None:
    client, exporter = traced
    model.arm_fault("500", count=2)  # one retry is configured: two failures end the turn
    _, events = await chat(client, "This one fails")
    assert events[-1].data["status"] == "error"

    turn = await ended_span(exporter, "turn")
    assert turn.attributes is not None and turn.attributes["aigc.turn.status"] == "error"
    assert turn.status.status_code == StatusCode.ERROR

    assert (await client.get(f"{API}/health")).status_code == 200
    assert not [s for s in exporter.get_finished_spans() if "health" in s.name]


def test_off_by_default_loads_nothing_of_the_sdk() -> None:
    """The embedded default builds its app without importing the OpenTelemetry SDK or an instrumentation."""
    code = (
        "import sys\n"
        "from aigc.main import create_app\n"
        "create_app(configure_logs=False)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry.sdk', "
        "'opentelemetry.instrumentation', 'opentelemetry.exporter'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_collector_must_be_an_otlp_http_url() -> None:
    with pytest.raises(ConfigError, match="OTEL_EXPORTER_OTLP_ENDPOINT.*OTLP/HTTP"):
        load_settings(otel_exporter_otlp_endpoint="collector:4317")
    settings = load_settings(otel_exporter_otlp_endpoint="http://collector:4318/")
    assert settings.tracing_enabled and settings.otel_exporter_otlp_endpoint == "http://collector:4318"
