"""Aggregates kept current as things happen: per user, per user and scenario, and per day for the stats API."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Index, Uuid
from sqlmodel import Field, SQLModel

from aigc.core.models import UTCDateTime, new_id, updated_at_field


class UserBehaviorStats(SQLModel, table=True):
    __tablename__ = "user_behavior_stats"

    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    sessions: int = Field(default=0)
    messages: int = Field(default=0)
    input_tokens: int = Field(default=0)
    output_tokens: int = Field(default=0)
    cost_usd: float = Field(default=0.0)
    feedback_up: int = Field(default=0)
    feedback_down: int = Field(default=0)
    last_active_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()


class UserScenarioStats(SQLModel, table=True):
    __tablename__ = "user_scenario_stats"

    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    scenario_id: uuid.UUID = Field(sa_column=Column(Uuid(), primary_key=True))
    sessions: int = Field(default=0)
    messages: int = Field(default=0)
    feedback_up: int = Field(default=0)
    feedback_down: int = Field(default=0)
    score_sum: int = Field(default=0)
    score_count: int = Field(default=0)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class _DailyCounters(SQLModel):
    """The figures both daily rollups keep."""

    sessions: int = Field(default=0)
    messages: int = Field(default=0)
    turns: int = Field(default=0)
    errors: int = Field(default=0)
    input_tokens: int = Field(default=0)
    output_tokens: int = Field(default=0)
    cost_usd: float = Field(default=0.0)
    # Ratings of that day's answers (keyed by the answer's day, scenario and model, not the rating's).
    feedback_up: int = Field(default=0)
    feedback_down: int = Field(default=0)


class UsageDaily(_DailyCounters, table=True):
    """One row per day, user, scenario and model: the stats API reads these for one user's figures."""

    __tablename__ = "usage_daily"
    __table_args__ = (
        Index("uq_usage_daily_key", "day", "user_id", "scenario_key", "model", unique=True),
        Index("ix_usage_daily_user_day", "user_id", "day"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    day: date = Field(sa_column=Column(Date(), nullable=False))
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    # The scenario id as text, "" when none: a NULL would defeat the unique key the upsert relies on.
    scenario_key: str = Field(default="", max_length=36)
    model: str = Field(default="", max_length=100)


class UsageDailyTotal(_DailyCounters, table=True):
    """The same figures without the user: at most days x scenarios x models rows, for everyone's statistics."""

    __tablename__ = "usage_daily_totals"
    __table_args__ = (Index("uq_usage_daily_totals_key", "day", "scenario_key", "model", unique=True),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    day: date = Field(sa_column=Column(Date(), nullable=False))
    scenario_key: str = Field(default="", max_length=36)
    model: str = Field(default="", max_length=100)
