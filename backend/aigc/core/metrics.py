"""Prometheus metrics: HTTP traffic by route, agent runs, turn outcomes, tokens, cost and job runs.

In core because the HTTP middleware counts every request; the domains only add to the counters here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "aigc_http_requests_total",
    "HTTP requests by route template, method and status",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "aigc_http_request_duration_seconds",
    "Time to the end of the response, by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
TURNS = Counter("aigc_turns_total", "Agent turns by final status", ["status"], registry=REGISTRY)
TURN_ERRORS = Counter(
    "aigc_turn_errors_total", "Failed agent turns by kind of error", ["kind"], registry=REGISTRY
)
TOKENS = Counter("aigc_tokens_total", "Model tokens used by agent turns", ["direction"], registry=REGISTRY)
COST = Counter("aigc_cost_usd_total", "Cost of agent turns in USD", registry=REGISTRY)
JOB_RUNS = Counter(
    "aigc_job_runs_total", "Scheduled and manual job runs by status", ["job", "status"], registry=REGISTRY
)


class AgentRuntimeCollector(Collector):
    """Reads the runtime's live numbers at scrape time rather than keeping gauges in step by hand."""

    def __init__(self) -> None:
        self.runtime: Any = None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if self.runtime is None:
            return
        stats = self.runtime.stats()
        for name, help_text, value in (
            ("aigc_agent_runs_active", "Agent turns running now", stats.active),
            ("aigc_agent_runs_queued", "Agent turns waiting for a run slot", stats.queued),
            ("aigc_agent_warm_clients", "Agent processes kept warm for their sessions", stats.warm_clients),
            ("aigc_agent_run_limit", "Most agent turns allowed to run at once", stats.max_concurrent_runs),
        ):
            yield GaugeMetricFamily(name, help_text, value=value)


RUNTIME_COLLECTOR = AgentRuntimeCollector()
REGISTRY.register(RUNTIME_COLLECTOR)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)


def observe_turn(
    status: str, error_kind: str | None, input_tokens: int, output_tokens: int, cost_usd: float
) -> None:
    TURNS.labels(status).inc()
    if error_kind:
        TURN_ERRORS.labels(error_kind).inc()
    TOKENS.labels("input").inc(input_tokens)
    TOKENS.labels("output").inc(output_tokens)
    COST.inc(cost_usd)


def render() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
