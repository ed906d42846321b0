"""Scheduled jobs and their runs at the API edge."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class JobRunPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    job_name: str
    trigger: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    parameters: dict[str, object]
    users_considered: int
    users_learned: int
    users_skipped: int
    users_failed: int
    error: str | None


class JobPublic(BaseModel):
    id: str
    name: str
    interval_seconds: int
    next_run_at: datetime | None
    scheduler_running: bool
    recent_runs: list[JobRunPublic]
