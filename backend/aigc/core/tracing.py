"""OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT names a collector.

On, each process exports its spans over OTLP/HTTP: requests (FastAPI), statements (SQLAlchemy), outgoing
HTTP calls (httpx) and, scaled out, the Celery hop, whose instrumentation carries the request's trace
context in the task's headers to the worker. A turn is one `turn` span with the agent's tokens, cost and
outcome as attributes (aigc.sessions.turns), so one trace holds a turn from the request to the reply.

Off, nothing of the OpenTelemetry SDK or its instrumentations is imported and `span` hands out a shared
no-op: the embedded default pays nothing for it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from aigc.core.config import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span, Tracer
    from sqlalchemy.ext.asyncio import AsyncEngine

Role = Literal["web", "worker"]
Attributes = Mapping[str, str | int | float | bool]

# Probes and scrapers call these every few seconds; a trace each would bury the users' requests.
EXCLUDED_URLS = r"/api/v1/health$,/metrics$"


class SpanHandle:
    """What code may do with its span. This one does nothing: tracing is off."""

    def set_attributes(self, attributes: Attributes) -> None:
        pass

    def fail(self, description: str) -> None:
        pass


class _LiveSpan(SpanHandle):
    def __init__(self, span: Span) -> None:
        self.span = span

    def set_attributes(self, attributes: Attributes) -> None:
        self.span.set_attributes(attributes)

    def fail(self, description: str) -> None:
        from opentelemetry.trace import Status, StatusCode

        self.span.set_status(Status(StatusCode.ERROR, description))


_NO_SPAN = SpanHandle()


@dataclass
class _Tracing:
    provider: TracerProvider
    tracer: Tracer
    instrumentors: list[Any]  # BaseInstrumentor, untyped for mypy


_active: _Tracing | None = None


def setup_tracing(settings: Settings, role: Role, *, exporter: SpanExporter | None = None) -> bool:
    """Start tracing in this process if a collector is configured (tests pass an exporter); False: off.

    Once per process: a later call only adds `exporter`. Call it before the first engine is built.
    """
    global _active
    if _active is not None:
        if exporter is not None:
            from opentelemetry.sdk.trace.export import SimpleSpanProcessor

            _active.provider.add_span_processor(SimpleSpanProcessor(exporter))
        return True
    if not settings.tracing_enabled and exporter is None:
        return False
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    from aigc import __version__

    resource = Resource.create(
        {
            "service.name": settings.otel_service_name or f"aigc-{role}",
            "service.version": __version__,
            "aigc.role": role,
        }
    )
    # Parent-based: the worker keeps or drops a turn as the web replica that queued it decided.
    sampler = ParentBased(TraceIdRatioBased(settings.tracing_sample_ratio))
    provider = TracerProvider(resource=resource, sampler=sampler)
    if settings.tracing_enabled:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        endpoint = f"{settings.otel_exporter_otlp_endpoint}/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    instrumentors: list[Any] = [HTTPXClientInstrumentor()]
    if settings.scale_out:  # Celery is only loaded where it is used
        from opentelemetry.instrumentation.celery import CeleryInstrumentor

        instrumentors.append(CeleryInstrumentor())  # type: ignore[no-untyped-call]  # untyped package
    for instrumentor in instrumentors:
        instrumentor.instrument(tracer_provider=provider)
    # Not the global provider: the process keeps no state a test cannot take back (shutdown_tracing).
    _active = _Tracing(provider, provider.get_tracer("aigc", __version__), instrumentors)
    return True


def instrument_app(app: FastAPI) -> None:
    """A server span per request (not per SSE event sent) when tracing is on."""
    if _active is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=_active.provider,
        excluded_urls=EXCLUDED_URLS,
        exclude_spans=["receive", "send"],
    )


def trace_engine(engine: AsyncEngine) -> None:
    """A span per statement of an engine the platform builds (aigc.core.db), when tracing is on."""
    if _active is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import NoOpMeter

    # SQLAlchemyInstrumentor instruments once per process; engines come and go (the SQLite writer pool,
    # disposal), so each gets the instrumentor's own per-engine tracer.
    connections = NoOpMeter("aigc").create_up_down_counter("db.client.connections.usage")
    tracer = _active.provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
    EngineTracer(tracer, engine.sync_engine, connections)  # type: ignore[no-untyped-call]  # untyped package


@contextlib.contextmanager
def span(
    name: str, attributes: Attributes, *, parent: Mapping[str, str] | None = None
) -> Iterator[SpanHandle]:
    """A span around the block: a child of `parent` (W3C trace context headers) or of the current span."""
    if _active is None:
        yield _NO_SPAN
        return
    from opentelemetry.propagate import extract

    context = extract(parent) if parent else None
    with _active.tracer.start_as_current_span(name, context=context, attributes=attributes) as live:
        yield _LiveSpan(live)


def carrier() -> dict[str, str]:
    """The current trace context as W3C headers (empty when off), for work that continues elsewhere."""
    if _active is None:
        return {}
    from opentelemetry.propagate import inject

    headers: dict[str, str] = {}
    inject(headers)
    return headers


def shutdown_tracing() -> None:
    """Export what is pending and take the instrumentations off again (tests turn tracing on and off)."""
    global _active
    if _active is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer

    for instrumentor in _active.instrumentors:
        instrumentor.uninstrument()
    EngineTracer.remove_all_event_listeners()  # type: ignore[no-untyped-call]  # untyped package
    _active.provider.shutdown()
    _active = None
