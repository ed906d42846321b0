"""Job leases in the database: one scheduled run per interval and one run at a time, across processes."""

from __future__ import annotations

import zlib
from datetime import timedelta

from sqlalchemy import or_, text, update
from sqlmodel import col

from aigc.core.db import session_scope, upsert_increment
from aigc.core.models import utcnow
from aigc.preferences.models import JobLease

_leases = JobLease.__table__  # type: ignore[attr-defined]
# A run that has not finished after this long is presumed dead (its process crashed) and loses the lease.
MAX_RUNTIME = timedelta(minutes=30)
# Scheduled ticks of several processes drift a little; a run within this share of the interval counts.
INTERVAL_SLACK = 0.9


async def try_acquire(name: str, holder: str, *, scheduled: bool, interval: timedelta) -> bool:
    """Take the job for one run. Scheduled runs also need the interval since the last one to have passed."""
    now = utcnow()
    async with session_scope() as db:
        connection = await db.connection()
        if connection.dialect.name == "postgresql":
            # Concurrent acquirers on PostgreSQL: the loser returns at once instead of queueing on the row.
            got = await db.exec(
                text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=_lock_key(name))
            )  # type: ignore[call-overload]
            if not got.scalar():
                return False
        await upsert_increment(
            db, _leases, key={"name": name}, increments={}, insert_only={"holder": "", "updated_at": now}
        )
        conditions = [
            col(JobLease.name) == name,
            or_(col(JobLease.running_until).is_(None), col(JobLease.running_until) < now),
        ]
        values = {"holder": holder, "running_until": now + MAX_RUNTIME, "updated_at": now}
        if scheduled:
            conditions.append(
                or_(col(JobLease.next_allowed_at).is_(None), col(JobLease.next_allowed_at) <= now)
            )
            values["next_allowed_at"] = now + interval * INTERVAL_SLACK
        result = await db.exec(update(JobLease).where(*conditions).values(**values))  # type: ignore[call-overload]
        return result.rowcount == 1


async def release(name: str, holder: str) -> None:
    """End the run; the interval gate (next_allowed_at) stays, so other processes do not repeat it."""
    async with session_scope() as db:
        await db.exec(  # type: ignore[call-overload]
            update(JobLease)
            .where(col(JobLease.name) == name, col(JobLease.holder) == holder)
            .values(running_until=None, updated_at=utcnow())
        )


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF
