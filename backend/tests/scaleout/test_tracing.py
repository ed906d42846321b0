"""One trace per turn across the hop: the web replica's request, the Celery job and the worker's `turn` span.

Real processes (bench/topology.py: `aigc serve`, `aigc worker`, Redis as broker) export over OTLP/HTTP to
a collector of this test's own on loopback, which decodes the protobuf requests as Jaeger or Tempo would.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from common import API, BENCH_USER  # bench/common.py
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from topology import ScaledPlatform  # bench/topology.py

pytestmark = pytest.mark.timeout(240)


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, Any]


class Collector:
    """Accepts POST /v1/traces (OTLP/HTTP, protobuf) on a free loopback port and keeps every span."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path != "/v1/traces" or self.headers["Content-Type"] != "application/x-protobuf":
                    self.send_error(404)
                    return
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                collector.add(request)
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add(self, request: ExportTraceServiceRequest) -> None:
        for resource_spans in request.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received = ReceivedSpan(
                        service=resource["service.name"],
                        name=span.name,
                        trace_id=span.trace_id.hex(),
                        span_id=span.span_id.hex(),
                        parent_id=span.parent_span_id.hex(),
                        attributes={a.key: _value(a.value) for a in span.attributes},
                    )
                    with self.lock:
                        self.spans.append(received)

    def find(self, service: str, name: str) -> list[ReceivedSpan]:
        with self.lock:
            return [s for s in self.spans if s.service == service and s.name == name]

    def __enter__(self) -> Collector:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _value(value: Any) -> Any:
    return getattr(value, value.WhichOneof("value"))


@pytest.fixture(scope="module")
def traced_topology() -> Iterator[tuple[ScaledPlatform, Collector]]:
    with Collector() as collector:
        platform = ScaledPlatform(web=1, workers=1, database_url=os.environ.get("TEST_DATABASE_URL") or None)
        platform.env.update(
            OTEL_EXPORTER_OTLP_ENDPOINT=collector.url,
            # The SDK's own setting: export within 0.2 s of a span's end, not the default 5 s.
            OTEL_BSP_SCHEDULE_DELAY="200",
        )
        with platform:
            yield platform, collector


async def wait_for(
    collector: Collector, service: str, name: str, timeout: float = 30.0
) -> list[ReceivedSpan]:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := collector.find(service, name)):
        assert asyncio.get_running_loop().time() < deadline, f"{service} exported no {name!r} span"
        await asyncio.sleep(0.1)
    return found


async def test_the_workers_turn_span_is_in_the_web_requests_trace(
    traced_topology: tuple[ScaledPlatform, Collector],
) -> None:
    platform, collector = traced_topology
    async with httpx.AsyncClient(base_url=f"{platform.url}{API}", timeout=60) as client:
        login = await client.post("/auth/login", data={"username": BENCH_USER, "password": platform.password})
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        session_id = (await client.post("/sessions", json={})).json()["id"]
        response = await client.post(f"/sessions/{session_id}/messages", json={"content": "Hello, worker"})
        assert response.status_code == 200 and '"status":"ok"' in response.text.replace(" ", "")

    (turn,) = await wait_for(collector, "aigc-worker", "turn")
    (request,) = await wait_for(collector, "aigc-web", "POST /api/v1/sessions/{session_id}/messages")
    assert turn.trace_id == request.trace_id

    # request -> the job's publication (web) -> the job's run (worker) -> the turn
    in_trace = {s.span_id: s for s in collector.spans if s.trace_id == turn.trace_id}
    run = in_trace[turn.parent_id]
    assert (run.service, run.name) == ("aigc-worker", "run/aigc.run_turn")
    publish = in_trace[run.parent_id]
    assert (publish.service, publish.name) == ("aigc-web", "apply_async/aigc.run_turn")
    assert publish.parent_id == request.span_id

    assert turn.attributes["aigc.session.id"] == session_id
    assert turn.attributes["aigc.turn.status"] == "ok"
    assert turn.attributes["aigc.turn.input_tokens"] > 0
    assert turn.attributes["aigc.turn.output_tokens"] > 0
    assert turn.attributes["aigc.turn.cost_usd"] > 0
    # The worker's statements (saving the reply) belong to the turn as well.
    assert any(
        s.service == "aigc-worker" and "db.system" in s.attributes and s.parent_id == turn.span_id
        for s in in_trace.values()
    )
