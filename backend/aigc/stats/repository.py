"""Aggregate queries over the daily usage rollup and the feedback table; the database does the summing."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, UTC
from typing import Any

from sqlalchemy import ColumnElement, and_, func, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.feedback.models import MessageFeedback
from aigc.scenarios.models import Scenario
from aigc.stats.models import UsageDaily

_SUMS = (
    func.coalesce(func.sum(UsageDaily.sessions), 0),
    func.coalesce(func.sum(UsageDaily.messages), 0),
    func.coalesce(func.sum(UsageDaily.turns), 0),
    func.coalesce(func.sum(UsageDaily.errors), 0),
    func.coalesce(func.sum(UsageDaily.input_tokens), 0),
    func.coalesce(func.sum(UsageDaily.output_tokens), 0),
    func.coalesce(func.sum(UsageDaily.cost_usd), 0.0),
)
SUM_NAMES = ("sessions", "messages", "turns", "errors", "input_tokens", "output_tokens", "cost_usd")


def usage_filter(user_id: uuid.UUID | None, date_from: date | None, date_to: date | None) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = []
    if user_id is not None:
        clauses.append(col(UsageDaily.user_id) == user_id)
    if date_from is not None:
        clauses.append(col(UsageDaily.day) >= date_from)
    if date_to is not None:
        clauses.append(col(UsageDaily.day) <= date_to)
    return and_(true(), *clauses)


async def totals(session: AsyncSession, where: ColumnElement[bool]) -> dict[str, Any]:
    row = (await session.exec(select(*_SUMS).where(where))).one()
    return dict(zip(SUM_NAMES, row, strict=True))


async def grouped(session: AsyncSession, where: ColumnElement[bool], column: Any) -> list[tuple[Any, dict[str, Any]]]:
    rows = await session.exec(select(column, *_SUMS).where(where).group_by(column).order_by(column))
    return [(row[0], dict(zip(SUM_NAMES, row[1:], strict=True))) for row in rows.all()]


async def scenario_names(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await session.exec(select(Scenario.id, Scenario.name).where(col(Scenario.id).in_(ids)))
    return dict(rows.all())


async def feedback_by_scenario(
    session: AsyncSession, user_id: uuid.UUID | None, date_from: date | None, date_to: date | None
) -> dict[uuid.UUID | None, dict[str, int]]:
    query = select(MessageFeedback.scenario_id, MessageFeedback.rating, func.count()).group_by(
        MessageFeedback.scenario_id, MessageFeedback.rating
    )
    if user_id is not None:
        query = query.where(col(MessageFeedback.user_id) == user_id)
    if date_from is not None:
        query = query.where(col(MessageFeedback.created_at) >= datetime.combine(date_from, time.min, UTC))
    if date_to is not None:
        query = query.where(col(MessageFeedback.created_at) < datetime.combine(date_to + timedelta(days=1), time.min, UTC))
    result: dict[uuid.UUID | None, dict[str, int]] = {}
    for scenario_id, rating, count in (await session.exec(query)).all():
        result.setdefault(scenario_id, {"up": 0, "down": 0})[rating] = int(count)
    return result
