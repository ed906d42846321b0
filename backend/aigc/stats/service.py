"""Keep the aggregates current as things happen, and answer the stats API from them."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.errors import AppError, PermissionDeniedError
from aigc.core.models import utcnow
from aigc.stats import repository
from aigc.stats.models import UsageDaily, UsageDailyTotal
from aigc.stats.schemas import DayStats, ModelStats, ScenarioStats, StatsPublic, StatsTotals
from aigc.users.models import User


def _scenario_key(scenario_id: uuid.UUID | None) -> str:
    return str(scenario_id) if scenario_id else ""


async def _daily_add(
    session: AsyncSession,
    day: date,
    user_id: uuid.UUID,
    scenario_id: uuid.UUID | None,
    model: str,
    **counts: float,
) -> None:
    """Add to the user's daily row and to everyone's (the two rollups the stats API reads)."""
    increments = {name: counts.get(name, 0) for name in repository.SUM_NAMES}
    await repository.add_to_days(session, day, user_id, _scenario_key(scenario_id), model, increments)


async def record_session_created(
    session: AsyncSession, user_id: uuid.UUID, scenario_id: uuid.UUID | None, when: datetime | None = None
) -> None:
    when = when or utcnow()
    await repository.add_to_user(session, user_id, {"sessions": 1}, now=when, active_at=when)
    if scenario_id is not None:
        await repository.add_to_user_scenario(session, user_id, scenario_id, {"sessions": 1}, used_at=when)
    await _daily_add(session, when.date(), user_id, scenario_id, "", sessions=1)


async def record_turn(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    scenario_id: uuid.UUID | None,
    model: str | None,
    input_tokens: int,
    output_tokens: int,
    cost_usd: float,
    failed: bool,
    when: datetime | None = None,
) -> None:
    """A finished turn: the user's message and the assistant's answer, with what they cost."""
    when = when or utcnow()
    usage = {
        "messages": 2,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cost_usd": cost_usd,
    }
    await repository.add_to_user(session, user_id, usage, now=when, active_at=when)
    if scenario_id is not None:
        await repository.add_to_user_scenario(session, user_id, scenario_id, {"messages": 2}, used_at=when)
    await _daily_add(
        session,
        when.date(),
        user_id,
        scenario_id,
        model or "",
        messages=2,
        turns=1,
        errors=int(failed),
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cost_usd=cost_usd,
    )


Rating = tuple[str, int | None]  # (up | down, optional 1-5 score)


def _score(rating: Rating | None) -> int:
    return rating[1] or 0 if rating is not None else 0


async def record_feedback_change(
    session: AsyncSession,
    user_id: uuid.UUID,
    scenario_id: uuid.UUID | None,
    old: Rating | None,
    new: Rating | None,
    answered_at: datetime,
    model: str | None,
) -> None:
    """Apply the difference between a message's previous rating and its new one (either may be absent).

    The daily rollups count it on the answer's day, scenario and model: satisfaction in a date range is
    that of the answers given in the range.
    """
    up = (new is not None and new[0] == "up") - (old is not None and old[0] == "up")
    down = (new is not None and new[0] == "down") - (old is not None and old[0] == "down")
    score_sum = _score(new) - _score(old)
    score_count = (new is not None and new[1] is not None) - (old is not None and old[1] is not None)
    if not (up or down or score_sum or score_count):
        return
    await repository.add_to_user(session, user_id, {"feedback_up": up, "feedback_down": down}, now=utcnow())
    if scenario_id is not None:
        await repository.add_to_user_scenario(
            session,
            user_id,
            scenario_id,
            {"feedback_up": up, "feedback_down": down, "score_sum": score_sum, "score_count": score_count},
        )
    if up or down:
        await _daily_add(
            session, answered_at.date(), user_id, scenario_id, model or "", feedback_up=up, feedback_down=down
        )


async def compute_stats(
    session: AsyncSession,
    actor: User,
    user_id: uuid.UUID | None,
    date_from: date | None,
    date_to: date | None,
) -> StatsPublic:
    """Totals and breakdowns; users see their own, administrators everyone's or one user's."""
    if not actor.is_admin:
        if user_id is not None and user_id != actor.id:
            raise PermissionDeniedError("Only administrators can see other users' statistics")
        user_id = actor.id
    if date_from and date_to and date_from > date_to:
        raise AppError("date_from must not be after date_to", code="invalid_range", status_code=422)
    # One user's figures come from their own rollup rows; everyone's from the rollup without the user.
    table = UsageDaily if user_id is not None else UsageDailyTotal
    where = repository.usage_filter(table, user_id, date_from, date_to)
    by_scenario_rows = await repository.grouped(session, table, where, table.scenario_key)
    scenario_ids = [uuid.UUID(key) for key, _ in by_scenario_rows if key]
    names = await repository.scenario_names(session, scenario_ids)
    by_scenario = []
    for key, sums in by_scenario_rows:
        scenario_id = uuid.UUID(key) if key else None
        rated = sums["feedback_up"] + sums["feedback_down"]
        by_scenario.append(
            ScenarioStats(
                scenario_id=scenario_id,
                scenario_name=names.get(scenario_id, "") if scenario_id else "",
                sessions=sums["sessions"],
                messages=sums["messages"],
                cost_usd=round(sums["cost_usd"], 6),
                feedback_up=sums["feedback_up"],
                feedback_down=sums["feedback_down"],
                satisfaction=round(sums["feedback_up"] / rated, 4) if rated else None,
            )
        )
    by_scenario.sort(key=lambda s: (-s.messages, s.scenario_name))
    return StatsPublic(
        scope="user" if user_id else "all",
        user_id=user_id,
        date_from=date_from,
        date_to=date_to,
        totals=StatsTotals(**await repository.totals(session, table, where)),
        by_day=[
            DayStats(
                day=day,
                sessions=s["sessions"],
                messages=s["messages"],
                input_tokens=s["input_tokens"],
                output_tokens=s["output_tokens"],
                cost_usd=round(s["cost_usd"], 6),
            )
            for day, s in await repository.grouped(session, table, where, table.day)
        ],
        by_scenario=by_scenario,
        by_model=[
            ModelStats(
                model=model,
                turns=s["turns"],
                messages=s["messages"],
                input_tokens=s["input_tokens"],
                output_tokens=s["output_tokens"],
                cost_usd=round(s["cost_usd"], 6),
            )
            for model, s in await repository.grouped(session, table, where, table.model)
            if model
        ],
    )
