"""Every query on scenarios, with who-may-see-what in one place."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.scenarios.models import Scenario, ScenarioSkill, UserScenarioConfig
from aigc.sessions.models import ChatSession
from aigc.users.models import User


def visible_to(user: User) -> ColumnElement[bool]:
    """Public and enabled scenarios, the user's own, and for admins every public one (enabled or not)."""
    public_clause: ColumnElement[bool] = col(Scenario.is_public).is_(True)
    if not user.is_admin:
        public_clause = public_clause & col(Scenario.is_enabled).is_(True)
    return or_(public_clause, col(Scenario.created_by) == user.id)


async def get_visible(session: AsyncSession, user: User, scenario_id: uuid.UUID) -> Scenario | None:
    result = await session.exec(select(Scenario).where(Scenario.id == scenario_id, visible_to(user)))
    return result.first()


async def get_by_slug(session: AsyncSession, slug: str) -> Scenario | None:
    return (await session.exec(select(Scenario).where(Scenario.slug == slug))).first()


async def get_default(session: AsyncSession) -> Scenario | None:
    return (await session.exec(select(Scenario).where(col(Scenario.is_default).is_(True)))).first()


async def list_visible(
    session: AsyncSession,
    user: User,
    *,
    search: str | None,
    category: str | None,
    favorites_only: bool,
    offset: int,
    limit: int,
) -> tuple[list[Scenario], int]:
    query = select(Scenario).where(visible_to(user))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(Scenario.name).like(pattern),
                func.lower(Scenario.description).like(pattern),
                func.lower(Scenario.slug).like(pattern),
            )
        )
    if category:
        query = query.where(Scenario.category == category)
    if favorites_only:
        favourite_ids = select(UserScenarioConfig.scenario_id).where(
            UserScenarioConfig.user_id == user.id, col(UserScenarioConfig.is_favorite).is_(True)
        )
        query = query.where(col(Scenario.id).in_(favourite_ids))
    count = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    ordered = query.order_by(col(Scenario.is_default).desc(), col(Scenario.is_builtin).desc(), Scenario.name)
    rows = await session.exec(ordered.offset(offset).limit(limit))
    return list(rows.all()), int(count)


async def skill_ids_by_scenario(
    session: AsyncSession, scenario_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    if not scenario_ids:
        return {}
    rows = await session.exec(select(ScenarioSkill).where(col(ScenarioSkill.scenario_id).in_(scenario_ids)))
    mapping: dict[uuid.UUID, list[uuid.UUID]] = {}
    for link in rows.all():
        mapping.setdefault(link.scenario_id, []).append(link.skill_id)
    return mapping


async def set_skills(session: AsyncSession, scenario_id: uuid.UUID, skill_ids: Sequence[uuid.UUID]) -> None:
    await session.exec(delete(ScenarioSkill).where(col(ScenarioSkill.scenario_id) == scenario_id))
    for skill_id in dict.fromkeys(skill_ids):
        session.add(ScenarioSkill(scenario_id=scenario_id, skill_id=skill_id))


async def configs_for(
    session: AsyncSession, user_id: uuid.UUID, scenario_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, UserScenarioConfig]:
    if not scenario_ids:
        return {}
    rows = await session.exec(
        select(UserScenarioConfig).where(
            UserScenarioConfig.user_id == user_id, col(UserScenarioConfig.scenario_id).in_(scenario_ids)
        )
    )
    return {config.scenario_id: config for config in rows.all()}


async def get_config(
    session: AsyncSession, user_id: uuid.UUID, scenario_id: uuid.UUID
) -> UserScenarioConfig | None:
    return await session.get(UserScenarioConfig, (user_id, scenario_id))


async def names_of(session: AsyncSession, scenario_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not scenario_ids:
        return {}
    rows = await session.exec(select(Scenario.id, Scenario.name).where(col(Scenario.id).in_(scenario_ids)))
    return dict(rows.all())


async def usage_counts(session: AsyncSession, user_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """How many sessions the user started with each scenario (the matcher's history nudge)."""
    rows = await session.exec(
        select(ChatSession.scenario_id, func.count())
        .where(col(ChatSession.user_id) == user_id, col(ChatSession.scenario_id).is_not(None))
        .group_by(col(ChatSession.scenario_id))
    )
    return {scenario_id: int(count) for scenario_id, count in rows.all() if scenario_id is not None}


async def clear_default(session: AsyncSession) -> None:
    await session.exec(update(Scenario).where(col(Scenario.is_default).is_(True)).values(is_default=False))


async def delete_private_of(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.exec(
        delete(Scenario).where(col(Scenario.created_by) == user_id, col(Scenario.is_public).is_(False))
    )
