"""Every query on skills, with who-may-see-what in one place."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.scenarios.models import ScenarioSkill
from aigc.skills.models import Skill, SkillFile
from aigc.users.models import User


def visible_to(user: User) -> ColumnElement[bool]:
    """Public skills and the user's own."""
    return or_(col(Skill.is_public).is_(True), col(Skill.created_by) == user.id)


async def get_visible(session: AsyncSession, user: User, skill_id: uuid.UUID) -> Skill | None:
    return (await session.exec(select(Skill).where(Skill.id == skill_id, visible_to(user)))).first()


async def get_visible_many(session: AsyncSession, user: User, skill_ids: Sequence[uuid.UUID]) -> list[Skill]:
    if not skill_ids:
        return []
    rows = await session.exec(select(Skill).where(col(Skill.id).in_(skill_ids), visible_to(user)))
    return list(rows.all())


async def get_by_name(session: AsyncSession, name: str) -> Skill | None:
    return (await session.exec(select(Skill).where(Skill.name == name))).first()


async def list_visible(
    session: AsyncSession, user: User, search: str | None, offset: int, limit: int
) -> tuple[list[Skill], int]:
    query = select(Skill).where(visible_to(user))
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(or_(col(Skill.name).like(pattern), func.lower(Skill.description).like(pattern)))
    count = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(Skill.name).offset(offset).limit(limit))
    return list(rows.all()), int(count)


async def files_of(session: AsyncSession, skill_id: uuid.UUID) -> list[SkillFile]:
    rows = await session.exec(
        select(SkillFile).where(SkillFile.skill_id == skill_id).order_by(SkillFile.path)
    )
    return list(rows.all())


async def replace_files(session: AsyncSession, skill_id: uuid.UUID, files: dict[str, bytes]) -> None:
    await session.exec(delete(SkillFile).where(col(SkillFile.skill_id) == skill_id))
    for path, content in files.items():
        session.add(SkillFile(skill_id=skill_id, path=path, content=content, size=len(content)))


async def enabled_skills_of_scenario(session: AsyncSession, scenario_id: uuid.UUID) -> list[Skill]:
    rows = await session.exec(
        select(Skill)
        .join(ScenarioSkill, col(ScenarioSkill.skill_id) == col(Skill.id))
        .where(ScenarioSkill.scenario_id == scenario_id, col(Skill.is_enabled).is_(True))
        .order_by(Skill.name)
    )
    return list(rows.all())
