"""The scheduler's tables: each job's lease (who runs it, when it may run next) and the record of each run."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Text
from sqlmodel import Field, SQLModel

from aigc.core.models import UTCDateTime, new_id, updated_at_field, utcnow


class JobRun(SQLModel, table=True):
    __tablename__ = "job_runs"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    job_name: str = Field(max_length=64, index=True)
    trigger: str = Field(max_length=16)  # schedule | manual
    status: str = Field(default="running", max_length=16)  # running | ok | error
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    parameters: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    # Counts of the preference-learning job; other jobs leave them at 0.
    users_considered: int = Field(default=0)
    users_learned: int = Field(default=0)
    users_skipped: int = Field(default=0)
    users_failed: int = Field(default=0)
    error: str | None = Field(default=None, sa_type=Text)
    holder: str = Field(default="", max_length=100)


class JobLease(SQLModel, table=True):
    """One row per job: which process may run it and until when (shared by every server process)."""

    __tablename__ = "job_leases"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(default="", max_length=100)
    # No scheduled run starts before this: one run per interval however many processes tick.
    next_allowed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Set while a run is going (expires, so a crashed process does not block the job forever).
    running_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()
