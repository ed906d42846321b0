"""Every query on job leases and job runs."""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import ColumnElement, or_, text, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.db import upsert_increment
from aigc.scheduler.models import JobLease, JobRun

_leases = JobLease.__table__  # type: ignore[attr-defined]  # SQLModel declares __table__ on table classes only at run time


async def acquire_lease(
    db: AsyncSession,
    name: str,
    holder: str,
    *,
    now: datetime,
    running_until: datetime,
    next_allowed_at: datetime | None,
) -> bool:
    """Take the lease unless a run holds it; with `next_allowed_at`, only once that interval gate is open."""
    connection = await db.connection()
    if connection.dialect.name == "postgresql":
        # Concurrent acquirers on PostgreSQL: the loser returns at once instead of queueing on the row.
        got = await connection.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=_lock_key(name))
        )
        if not got.scalar():
            return False
    await upsert_increment(
        db, _leases, key={"name": name}, increments={}, insert_only={"holder": "", "updated_at": now}
    )
    conditions: list[ColumnElement[bool]] = [
        col(JobLease.name) == name,
        or_(col(JobLease.running_until).is_(None), col(JobLease.running_until) < now),
    ]
    values: dict[str, object] = {"holder": holder, "running_until": running_until}
    if next_allowed_at is not None:
        conditions.append(or_(col(JobLease.next_allowed_at).is_(None), col(JobLease.next_allowed_at) <= now))
        values["next_allowed_at"] = next_allowed_at
    result = await db.exec(update(JobLease).where(*conditions).values(**values))
    return result.rowcount == 1


async def release_lease(db: AsyncSession, name: str, holder: str) -> None:
    """End the run; the interval gate (next_allowed_at) stays, so other processes do not repeat it."""
    await db.exec(
        update(JobLease)
        .where(col(JobLease.name) == name, col(JobLease.holder) == holder)
        .values(running_until=None)
    )


async def recent_runs(db: AsyncSession, job_name: str, limit: int) -> list[JobRun]:
    rows = await db.exec(
        select(JobRun)
        .where(col(JobRun.job_name) == job_name)
        .order_by(col(JobRun.started_at).desc())
        .limit(limit)
    )
    return list(rows.all())


def _lock_key(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF
