"""Aggregate queries over the daily usage rollup and the feedback table; the database does the summing."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.db import upsert_increment
from aigc.core.models import new_id
from aigc.scenarios.models import Scenario
from aigc.stats.models import UsageDaily, UsageDailyTotal, UserBehaviorStats, UserScenarioStats

SUM_NAMES = (
    "sessions",
    "messages",
    "turns",
    "errors",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "feedback_up",
    "feedback_down",
)
Rollup = type[UsageDaily] | type[UsageDailyTotal]

# SQLModel declares __table__ on table classes only at run time.
_behavior = UserBehaviorStats.__table__  # type: ignore[attr-defined]
_per_scenario = UserScenarioStats.__table__  # type: ignore[attr-defined]
_daily = UsageDaily.__table__  # type: ignore[attr-defined]
_daily_totals = UsageDailyTotal.__table__  # type: ignore[attr-defined]
_DAILY_KEY = ["day", "user_id", "scenario_key", "model"]
_TOTALS_KEY = ["day", "scenario_key", "model"]


# The counters are written by INSERT .. ON CONFLICT DO UPDATE, which the ORM's onupdate does not reach:
# `updated_at` goes into the statement's `sets`.
async def add_to_user(
    session: AsyncSession,
    user_id: uuid.UUID,
    increments: dict[str, float],
    *,
    now: datetime,
    active_at: datetime | None = None,
) -> None:
    """Add to the user's overall counters (creating the row), and note their last activity if given."""
    sets: dict[str, Any] = {"updated_at": now}
    if active_at is not None:
        sets["last_active_at"] = active_at
    await upsert_increment(session, _behavior, key={"user_id": user_id}, increments=increments, sets=sets)


async def add_to_user_scenario(
    session: AsyncSession,
    user_id: uuid.UUID,
    scenario_id: uuid.UUID,
    increments: dict[str, float],
    *,
    used_at: datetime | None = None,
) -> None:
    """Add to the user's counters for one scenario, and note when they last used it if given."""
    await upsert_increment(
        session,
        _per_scenario,
        key={"user_id": user_id, "scenario_id": scenario_id},
        increments=increments,
        sets={"last_used_at": used_at} if used_at is not None else None,
    )


async def add_to_days(
    session: AsyncSession,
    day: date,
    user_id: uuid.UUID,
    scenario_key: str,
    model: str,
    increments: dict[str, float],
) -> None:
    """Add to the user's daily row and to everyone's (the two rollups the stats API reads)."""
    key = {"day": day, "scenario_key": scenario_key, "model": model}
    await upsert_increment(
        session,
        _daily,
        key={**key, "user_id": user_id},
        increments=increments,
        insert_only={"id": new_id()},
        conflict=_DAILY_KEY,
    )
    await upsert_increment(
        session,
        _daily_totals,
        key=key,
        increments=increments,
        insert_only={"id": new_id()},
        conflict=_TOTALS_KEY,
    )


def _sums(table: Rollup) -> list[Any]:
    return [func.coalesce(func.sum(getattr(table, name)), 0) for name in SUM_NAMES]


def usage_filter(
    table: Rollup, user_id: uuid.UUID | None, date_from: date | None, date_to: date | None
) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if user_id is not None:
        clauses.append(col(UsageDaily.user_id) == user_id)
    if date_from is not None:
        clauses.append(col(table.day) >= date_from)
    if date_to is not None:
        clauses.append(col(table.day) <= date_to)
    return and_(true(), *clauses)


async def totals(session: AsyncSession, table: Rollup, where: ColumnElement[bool]) -> dict[str, Any]:
    row = (await session.exec(select(*_sums(table)).where(where))).one()
    return dict(zip(SUM_NAMES, row, strict=True))


async def grouped(
    session: AsyncSession, table: Rollup, where: ColumnElement[bool], column: Any
) -> list[tuple[Any, dict[str, Any]]]:
    rows = await session.exec(select(column, *_sums(table)).where(where).group_by(column).order_by(column))
    return [(row[0], dict(zip(SUM_NAMES, row[1:], strict=True))) for row in rows.all()]


async def scenario_names(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.exec(select(Scenario.id, Scenario.name).where(col(Scenario.id).in_(ids)))
    return dict(rows.all())
