"""`aigc worker`: a Celery worker (threads pool) whose tasks run agent turns on the host's event loop."""

from __future__ import annotations

import logging

from aigc.core import tracing
from aigc.core.config import Settings
from aigc.worker.celery_app import RUN_TURN_TASK, make_celery
from aigc.worker.host import WorkerHost

logger = logging.getLogger("aigc.worker")


def run_worker(settings: Settings, concurrency: int | None = None, worker_id: str | None = None) -> None:
    """Serve turns until SIGTERM (warm shutdown: running turns finish first) or SIGINT."""
    # Before Celery runs a task and the host builds its engine: both are traced from the first turn.
    tracing.setup_tracing(settings, "worker")
    app = make_celery(settings)
    host = WorkerHost(settings, worker_id)

    @app.task(name=RUN_TURN_TASK, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def run_turn(payload: dict[str, object]) -> None:
        host.run_turn(payload)

    host.start()
    try:
        app.worker_main(
            [
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency or settings.agent_max_concurrent_runs}",
                f"--queues={','.join(host.queues)}",
                f"--hostname={host.worker_id}@%h",
                f"--loglevel={settings.log_level}",
                # Presence and stop go through our own Redis keys; Celery's broadcasts are not needed.
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
        )
    finally:
        host.stop()
