"""The Celery application both roles share: the web replica sends turns, the worker runs them.

Celery is imported only here, and this module only when BROKER_URL is set: the embedded default never
loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import Celery

from aigc.core.config import Settings
from aigc.sessions.distributed import Dispatch, shared_queue

RUN_TURN_TASK = "aigc.run_turn"


def make_celery(settings: Settings) -> Celery:
    app = Celery("aigc", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # Late acknowledgement: a job is acknowledged after its turn ended, so a worker that dies mid-turn
        # does not lose it silently; the redelivered job finds the turn claimed and ends it (no re-run).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=shared_queue(settings),
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=2,
        # Redis as broker: an unacknowledged job is redelivered after this long, so it must outlast the
        # longest turn (RabbitMQ redelivers when the worker's connection drops).
        broker_transport_options={"visibility_timeout": int(settings.agent_turn_timeout_seconds * 2) + 60},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    return app


def dispatcher(app: Celery) -> Dispatch:
    """How a web replica queues a turn; fails at once (no retry loop) when the broker is unreachable."""

    def dispatch(payload: dict[str, Any], queue: str) -> None:
        app.send_task(RUN_TURN_TASK, args=[payload], queue=queue, retry=False)

    return dispatch


def broker_check(app: Celery) -> Callable[[], None]:
    """Raises when the broker cannot be reached right now (for /health)."""

    def check() -> None:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=2)

    return check
