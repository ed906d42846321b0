"""Job leases in the database: one scheduled run per interval and one run at a time, across processes."""

from __future__ import annotations

from datetime import timedelta

from aigc.core.db import session_scope
from aigc.core.models import utcnow
from aigc.scheduler import repository

# A run that has not finished after this long is presumed dead (its process crashed) and loses the lease.
MAX_RUNTIME = timedelta(minutes=30)
# Scheduled ticks of several processes drift a little; a run within this share of the interval counts.
INTERVAL_SLACK = 0.9


async def try_acquire(name: str, holder: str, *, scheduled: bool, interval: timedelta) -> bool:
    """Take the job for one run. Scheduled runs also need the interval since the last one to have passed."""
    now = utcnow()
    async with session_scope() as db:
        return await repository.acquire_lease(
            db,
            name,
            holder,
            now=now,
            running_until=now + MAX_RUNTIME,
            next_allowed_at=now + interval * INTERVAL_SLACK if scheduled else None,
        )


async def release(name: str, holder: str) -> None:
    """End the run; the interval gate stays, so other processes do not repeat it."""
    async with session_scope() as db:
        await repository.release_lease(db, name, holder)
