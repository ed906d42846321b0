"""`aigc worker`: a Celery worker (threads pool) whose tasks run agent turns on the host's event loop."""

from __future__ import annotations

import contextlib
import logging
import time

from celery.signals import worker_shutting_down

from aigc.core import tracing
from aigc.core.config import Settings
from aigc.worker.celery_app import RUN_TURN_TASK, make_celery
from aigc.worker.host import WorkerHost

logger = logging.getLogger("aigc.worker")

RESTART_PAUSE_SECONDS = 2.0


def run_worker(settings: Settings, concurrency: int | None = None, worker_id: str | None = None) -> None:
    """Serve turns until SIGTERM (warm shutdown: running turns finish first) or SIGINT."""
    # Before Celery runs a task and the host builds its engine: both are traced from the first turn.
    tracing.setup_tracing(settings, "worker")
    app = make_celery(settings)
    host = WorkerHost(settings, worker_id)

    @app.task(name=RUN_TURN_TASK, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
    def run_turn(payload: dict[str, object]) -> None:
        host.run_turn(payload)

    def withdraw(**_: object) -> None:
        host.retire()

    # Sent as soon as a warm shutdown begins (SIGTERM), while running turns still finish.
    worker_shutting_down.connect(withdraw, weak=False)
    host.start()
    argv = [
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
    try:
        while True:
            with contextlib.suppress(SystemExit):
                app.worker_main(argv)
            if host.retiring:
                return  # asked to stop (SIGTERM, SIGINT)
            # Celery's consumer gave up: kombu's Redis transport crashes it when the broker goes away with
            # a job unacknowledged (celery/kombu#970 and kin). Running turns have finished by now; the
            # warm agents are still here, so start consuming again rather than exit.
            logger.warning("The Celery worker stopped without being asked to; starting it again")
            time.sleep(RESTART_PAUSE_SECONDS)
    finally:
        host.stop()
