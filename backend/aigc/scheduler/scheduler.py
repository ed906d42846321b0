"""The APScheduler instance of a server process and the registration of every scheduled job."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from aigc.core.config import Settings

logger = logging.getLogger("aigc.scheduler")

RETENTION_JOB = "retention"
RETENTION_INTERVAL_SECONDS = 24 * 3600


class PlatformScheduler:
    """Starts with the app; coalesced jobs, one instance at a time (leases make it one per interval overall)."""

    def __init__(self, settings: Settings, app_state: object | None = None) -> None:
        self.settings = settings
        # The app's storage and turn manager, for jobs that act on sessions (retention).
        self.app_state: Any = app_state
        self.enabled = settings.scheduler_enabled
        self._scheduler = AsyncIOScheduler(
            timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600}
        )
        self._intervals: dict[str, int] = {}

    def start(self) -> None:
        if not self.enabled:
            logger.info("Scheduler disabled (SCHEDULER_ENABLED=false)")
            return
        self._register()
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

    def _add_interval_job(self, job_id: str, func: object, seconds: int) -> None:
        self._intervals[job_id] = seconds
        self._scheduler.add_job(
            func,
            IntervalTrigger(seconds=seconds, timezone=UTC),
            id=job_id,
            name=job_id,
            replace_existing=True,
            # The first run one interval after start-up: a restart loop must not re-run the batch every time.
            next_run_time=datetime.now(UTC) + timedelta(seconds=seconds),
        )

    def _register(self) -> None:
        from aigc.preferences import jobs as preference_jobs

        settings = self.settings

        async def learn_preferences() -> None:
            await preference_jobs.learn_preferences(
                settings, min_feedback_count=settings.preference_min_feedback_count, trigger="schedule"
            )

        self._add_interval_job(
            preference_jobs.JOB_NAME, learn_preferences, settings.preference_learning_interval_minutes * 60
        )
        if settings.retention_archive_after_days or settings.retention_delete_after_days:
            self._add_interval_job(RETENTION_JOB, self._retention, RETENTION_INTERVAL_SECONDS)

    async def _retention(self) -> None:
        from aigc.scheduler import lease
        from aigc.sessions import retention

        interval = timedelta(seconds=RETENTION_INTERVAL_SECONDS)
        holder = f"retention:{id(self)}"
        if not await lease.try_acquire(RETENTION_JOB, holder, scheduled=True, interval=interval):
            return
        try:
            state = self.app_state
            actions = await retention.plan(self.settings)
            await retention.apply(actions, self.settings, state.storage, state.turns)
        finally:
            await lease.release(RETENTION_JOB, holder)
