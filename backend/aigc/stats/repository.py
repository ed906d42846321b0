"""Aggregate queries over the daily usage rollup and the feedback table; the database does the summing."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.scenarios.models import Scenario
from aigc.stats.models import UsageDaily, UsageDailyTotal

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
