"""Running a registered job (under its lease, recorded in job_runs) and listing the jobs with their runs."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core import metrics
from aigc.core.config import Settings
from aigc.core.db import session_scope
from aigc.core.errors import ConflictError, NotFoundError
from aigc.core.models import utcnow
from aigc.scheduler import lease, registry, repository
from aigc.scheduler.models import JobRun
from aigc.scheduler.registry import Job, JobContext
from aigc.scheduler.schemas import JobPublic, JobRunPublic

logger = logging.getLogger("aigc.scheduler")

HOLDER = f"{socket.gethostname()}:{os.getpid()}"
RECENT_RUNS = 10


async def run(job: Job, context: JobContext, *, holder: str = HOLDER) -> JobRunPublic | None:
    """Run the job once. Scheduled runs return None when another process already ran this interval."""
    interval = job.every(context.settings) or timedelta(0)
    scheduled = context.trigger == "schedule"
    if not await lease.try_acquire(job.name, holder, scheduled=scheduled, interval=interval):
        if scheduled:
            logger.info("%s skipped: another process has this interval's run", job.title)
            return None
        raise ConflictError(
            f"'{job.title}' is already running; try again when it has finished", code="job_running"
        )
    try:
        return await _recorded(job, context, holder)
    finally:
        await lease.release(job.name, holder)


async def _recorded(job: Job, context: JobContext, holder: str) -> JobRunPublic:
    async with session_scope() as db:
        record = JobRun(
            job_name=job.name, trigger=context.trigger, holder=holder, parameters=dict(context.parameters)
        )
        db.add(record)
    try:
        await job.body(context, record)
        record.status = "ok"
    except Exception as exc:  # the run is recorded as failed; the scheduler keeps going
        logger.exception("Job %s failed", job.name)
        record.status, record.error = "error", f"{type(exc).__name__}: {exc}"
    record.finished_at = utcnow()
    async with session_scope() as db:
        db.add(record)
    metrics.JOB_RUNS.labels(job.name, record.status).inc()
    return JobRunPublic.model_validate(record)


def enabled_job(name: str, settings: Settings) -> Job:
    """The registered job `name`; 404 when there is none, 409 when these settings turn it off."""
    job = registry.get(name)
    if job is None:
        known = ", ".join(j.name for j in registry.registered())
        raise NotFoundError(f"No scheduled job named {name!r} (jobs: {known})")
    if job.every(settings) is None:
        raise ConflictError(f"'{job.title}' is turned off by this server's settings", code="job_disabled")
    return job


async def trigger(
    name: str, settings: Settings, parameters: dict[str, Any], app_state: Any = None
) -> JobRunPublic:
    """Run a job now for an administrator."""
    job = enabled_job(name, settings)
    result = await run(job, JobContext(settings, "manual", parameters, app_state))
    assert result is not None  # manual runs either run or raise
    return result


async def list_jobs(session: AsyncSession, settings: Settings, scheduler: Any) -> list[JobPublic]:
    """Each job these settings turn on, with its interval, next run and recent runs (from every process)."""
    listed = []
    for job in registry.registered():
        every = job.every(settings)
        if every is None:
            continue
        runs = await repository.recent_runs(session, job.name, RECENT_RUNS)
        listed.append(
            JobPublic(
                id=job.name,
                name=job.title,
                interval_seconds=scheduler.intervals().get(job.name) or int(every.total_seconds()),
                next_run_at=scheduler.next_run(job.name),
                scheduler_running=scheduler.running,
                recent_runs=[JobRunPublic.model_validate(r) for r in runs],
            )
        )
    return listed
