"""The APScheduler instance of a server process: it runs every registered job its settings turn on."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import partial

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from aigc.core.config import Settings
from aigc.scheduler import registry, service
from aigc.scheduler.registry import Job, JobContext

logger = logging.getLogger("aigc.scheduler")


class PlatformScheduler:
    """Starts with the app; coalesced jobs, one instance at a time (leases make it one per interval overall)."""

    def __init__(self, settings: Settings, app_state: object | None = None) -> None:
        self.settings = settings
        # The app's storage and turn manager, for jobs that act on sessions (retention).
        self.app_state = app_state
        self.enabled = settings.scheduler_enabled
        self._scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}
        )
        self._intervals: dict[str, int] = {}

    def start(self) -> None:
        if not self.enabled:
            logger.info("Scheduler disabled (SCHEDULER_ENABLED=false)")
            return
        for job in registry.registered():
            every = job.every(self.settings)
            if every is not None:
                self._add_interval_job(job, every)
        self._scheduler.start()
        logger.info("Scheduler started with jobs: %s", ", ".join(self._intervals))

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    @property
    def running(self) -> bool:
        return bool(self._scheduler.running)

    @property
    def state(self) -> str:
        """ok, disabled, or error: for the health check."""
        if not self.enabled:
            return "disabled"
        return "ok" if self.running else "error: the scheduler is not running"

    def next_run(self, job_id: str) -> datetime | None:
        job = self._scheduler.get_job(job_id)
        return job.next_run_time if job else None

    def intervals(self) -> dict[str, int]:
        return dict(self._intervals)

    def _add_interval_job(self, job: Job, every: timedelta) -> None:
        seconds = int(every.total_seconds())
        self._intervals[job.name] = seconds
        self._scheduler.add_job(
            partial(self._run_scheduled, job),
            IntervalTrigger(seconds=seconds, timezone=UTC),
            id=job.name,
            name=job.name,
            replace_existing=True,
            # The first run one interval after start-up: a restart loop must not re-run the batch every time.
            next_run_time=datetime.now(UTC) + every,
        )

    async def _run_scheduled(self, job: Job) -> None:
        await service.run(job, JobContext(self.settings, "schedule", app_state=self.app_state))
