"""Scenario rules: who may see and change what, the single default, and each user's own settings."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.config import get_settings
from aigc.core.errors import AppError, ConflictError, NotFoundError, PermissionDeniedError
from aigc.core.models import utcnow
from aigc.integrations import service as mcp_service
from aigc.scenarios import repository
from aigc.scenarios.models import Scenario, UserScenarioConfig
from aigc.scenarios.schemas import (
    SANDBOXED_TOOLS,
    ScenarioCreate,
    ScenarioMatch,
    ScenarioMatches,
    ScenarioPublic,
    ScenarioShellLimits,
    ScenariosPublic,
    ScenarioUpdate,
    UserScenarioConfigPublic,
    UserScenarioConfigUpdate,
)
from aigc.skills import service as skill_service
from aigc.users.models import User


async def find_visible(session: AsyncSession, user: User, scenario_id: uuid.UUID) -> Scenario | None:
    """A scenario the user may see, or None."""
    return await repository.get_visible(session, user, scenario_id)


async def get_scenario(session: AsyncSession, user: User, scenario_id: uuid.UUID) -> Scenario:
    """A scenario the user may see; 404 otherwise, so private ones are not even confirmed to exist."""
    scenario = await repository.get_visible(session, user, scenario_id)
    if scenario is None:
        raise NotFoundError("No such scenario")
    return scenario


async def names_of(session: AsyncSession, scenario_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The name of each scenario that still exists (for labels, not access: no visibility check)."""
    return await repository.names_of(session, scenario_ids)


async def get_user_config(
    session: AsyncSession, user_id: uuid.UUID, scenario_id: uuid.UUID
) -> UserScenarioConfig | None:
    """The user's own settings for a scenario, if they saved any."""
    return await repository.get_config(session, user_id, scenario_id)


async def get_default_scenario(session: AsyncSession) -> Scenario:
    scenario = await repository.get_default(session)
    if scenario is None:
        raise NotFoundError("No default scenario is configured; an administrator must choose one")
    return scenario


async def list_scenarios(
    session: AsyncSession,
    user: User,
    *,
    search: str | None = None,
    category: str | None = None,
    favorites_only: bool = False,
    offset: int = 0,
    limit: int = 50,
) -> ScenariosPublic:
    scenarios, count = await repository.list_visible(
        session,
        user,
        search=search,
        category=category,
        favorites_only=favorites_only,
        offset=offset,
        limit=limit,
    )
    return ScenariosPublic(items=await to_public(session, user, scenarios), count=count)


async def to_public(session: AsyncSession, user: User, scenarios: Sequence[Scenario]) -> list[ScenarioPublic]:
    """Scenarios with their skill ids and this user's own settings, in two queries for the whole page."""
    ids = [s.id for s in scenarios]
    skills = await repository.skill_ids_by_scenario(session, ids)
    configs = await repository.configs_for(session, user.id, ids)
    mcp_links = await mcp_service.links_for_scenarios(session, ids)
    result = []
    for scenario in scenarios:
        public = ScenarioPublic.model_validate(scenario)
        public.skill_ids = skills.get(scenario.id, [])
        public.mcp_servers = mcp_links.get(scenario.id, [])
        if scenario.id in configs:
            public.user_config = UserScenarioConfigPublic.model_validate(configs[scenario.id])
        result.append(public)
    return result


def _can_manage(user: User, scenario: Scenario) -> bool:
    return scenario.created_by == user.id or (user.is_admin and scenario.is_public)


async def _check_rules(
    session: AsyncSession,
    user: User,
    *,
    is_public: bool,
    tools: Sequence[str],
    skill_ids: Sequence[uuid.UUID],
) -> None:
    if is_public and not user.is_admin:
        raise PermissionDeniedError("Only administrators can publish scenarios", code="publish_forbidden")
    shell_or_network = sorted(set(tools) & set(SANDBOXED_TOOLS))
    if shell_or_network and not user.is_admin:
        raise PermissionDeniedError(
            f"Only administrators can enable {', '.join(shell_or_network)} (they run in the OS sandbox)",
            code="tool_forbidden",
        )
    if skill_ids:
        skills = await skill_service.get_visible_many(session, user, skill_ids)
        found = {skill.id: skill for skill in skills}
        missing = [str(sid) for sid in skill_ids if sid not in found]
        if missing:
            raise AppError(f"Unknown skill {missing[0]}", code="unknown_skill", status_code=422)
        private = [s.name for s in skills if not s.is_public]
        if is_public and private:
            raise AppError(
                f"A public scenario can only use public skills; '{private[0]}' is private",
                code="private_skill_in_public_scenario",
                status_code=422,
            )


def _check_shell_limits(limits: ScenarioShellLimits) -> None:
    """The server's AGENT_SHELL_* values are the maxima: a scenario may tighten them, never loosen."""
    maxima = server_shell_limits()
    for name, value in limits.model_dump(exclude_none=True).items():
        if value > maxima[name]:
            raise AppError(
                f"shell_limits.{name} may be at most {maxima[name]} on this server "
                f"(AGENT_SHELL_{name.upper()}); got {value}",
                code="shell_limit_too_high",
                status_code=422,
            )


def server_shell_limits() -> dict[str, int]:
    """The deployment's limits of shell commands per session, which are also a scenario's maxima."""
    settings = get_settings()
    return {
        "cpu_seconds": settings.agent_shell_cpu_seconds,
        "memory_mb": settings.agent_shell_memory_mb,
        "max_processes": settings.agent_shell_max_processes,
        "output_mb": settings.agent_shell_output_mb,
        "disk_mb": settings.agent_shell_disk_mb,
    }


def shell_limits_for_turn(scenario: Scenario) -> dict[str, int] | None:
    """The scenario's own shell limits for a turn (None when it has none), none above the server's."""
    # The server's limits may have been lowered since the scenario was saved.
    own = ScenarioShellLimits.model_validate(scenario.shell_limits).model_dump(exclude_none=True)
    maxima = server_shell_limits()
    return {name: min(value, maxima[name]) for name, value in own.items()} or None


async def _unique_slug(session: AsyncSession, wanted: str | None, name: str) -> str:
    if wanted:
        if await repository.get_by_slug(session, wanted):
            raise ConflictError(f"The slug '{wanted}' is already used", code="slug_taken")
        return wanted
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48] or "scenario"
    slug = base
    while len(slug) < 2 or await repository.get_by_slug(session, slug):
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


async def create_scenario(session: AsyncSession, user: User, data: ScenarioCreate) -> ScenarioPublic:
    await _check_rules(session, user, is_public=data.is_public, tools=data.tools, skill_ids=data.skill_ids)
    _check_shell_limits(data.shell_limits)
    await mcp_service.check_attachable(session, user, data.mcp_servers)
    values = data.model_dump(exclude={"skill_ids", "slug", "shell_limits", "mcp_servers"})
    values["shell_limits"] = data.shell_limits.model_dump(exclude_none=True)
    scenario = Scenario(**values, slug=await _unique_slug(session, data.slug, data.name), created_by=user.id)
    session.add(scenario)
    await session.flush()
    await repository.set_skills(session, scenario.id, data.skill_ids)
    await mcp_service.set_for_scenario(session, scenario.id, data.mcp_servers)
    await session.flush()
    return (await to_public(session, user, [scenario]))[0]


async def update_scenario(
    session: AsyncSession, user: User, scenario_id: uuid.UUID, changes: ScenarioUpdate
) -> ScenarioPublic:
    scenario = await get_scenario(session, user, scenario_id)
    if not _can_manage(user, scenario):
        raise PermissionDeniedError("You can only change your own scenarios", code="not_owner")
    fields = changes.model_dump(exclude_unset=True, exclude={"shell_limits", "mcp_servers"})
    if changes.shell_limits is not None:
        _check_shell_limits(changes.shell_limits)
        fields["shell_limits"] = changes.shell_limits.model_dump(exclude_none=True)
    skill_ids = fields.pop("skill_ids", None)
    is_public = fields.get("is_public", scenario.is_public)
    tools = fields.get("tools") or scenario.tools
    current_skills = (await repository.skill_ids_by_scenario(session, [scenario.id])).get(scenario.id, [])
    await _check_rules(
        session,
        user,
        is_public=is_public,
        tools=tools,
        skill_ids=skill_ids if skill_ids is not None else current_skills,
    )
    if scenario.is_default and (fields.get("is_public") is False or fields.get("is_enabled") is False):
        raise ConflictError(
            "The default scenario must stay public and enabled; choose another default first",
            code="default_locked",
        )
    if changes.mcp_servers is not None:
        await mcp_service.check_attachable(session, user, changes.mcp_servers)
        await mcp_service.set_for_scenario(session, scenario.id, changes.mcp_servers)
        scenario.updated_at = utcnow()  # the links live in their own table, like the skills'
    for name, value in fields.items():
        setattr(scenario, name, value)
    if skill_ids is not None and sorted(skill_ids) != sorted(current_skills):
        await repository.set_skills(session, scenario.id, skill_ids)
        # The links live in scenario_skills: a change of skills alone leaves this row otherwise unchanged,
        # yet the scenario did change.
        scenario.updated_at = utcnow()
    session.add(scenario)
    await session.flush()
    return (await to_public(session, user, [scenario]))[0]


async def delete_scenario(session: AsyncSession, user: User, scenario_id: uuid.UUID) -> None:
    scenario = await get_scenario(session, user, scenario_id)
    if not _can_manage(user, scenario):
        raise PermissionDeniedError("You can only delete your own scenarios", code="not_owner")
    if scenario.is_default:
        raise ConflictError(
            "The default scenario cannot be deleted; choose another default first", code="default_locked"
        )
    await session.delete(scenario)
    await session.flush()


async def set_default(session: AsyncSession, admin: User, scenario_id: uuid.UUID) -> ScenarioPublic:
    """Make one public, enabled scenario the default; the previous default stops being one."""
    scenario = await get_scenario(session, admin, scenario_id)
    if not (scenario.is_public and scenario.is_enabled):
        raise ConflictError("Only a public, enabled scenario can be the default", code="default_not_public")
    if not scenario.is_default:
        await repository.clear_default(session)
        await session.flush()
        scenario.is_default = True
        session.add(scenario)
        await session.flush()
    return (await to_public(session, admin, [scenario]))[0]


def allowed_models(scenario: Scenario, default_model: str) -> list[str]:
    """The models a user may pick for this scenario: its own and the extra ones it allows."""
    return list(dict.fromkeys([scenario.model or default_model, *scenario.allowed_models]))


async def update_user_config(
    session: AsyncSession,
    user: User,
    scenario_id: uuid.UUID,
    changes: UserScenarioConfigUpdate,
    default_model: str,
) -> UserScenarioConfigPublic:
    scenario = await get_scenario(session, user, scenario_id)
    fields = changes.model_dump(exclude_unset=True)
    if fields.get("model") is not None and fields["model"] not in allowed_models(scenario, default_model):
        raise AppError(
            f"This scenario allows only: {', '.join(allowed_models(scenario, default_model))}",
            code="model_not_allowed",
            status_code=422,
        )
    config = await repository.get_config(session, user.id, scenario.id) or UserScenarioConfig(
        user_id=user.id, scenario_id=scenario.id
    )
    for name, value in fields.items():
        setattr(config, name, value if value is not None or name == "model" else getattr(config, name))
    session.add(config)
    await session.flush()
    return UserScenarioConfigPublic.model_validate(config)


async def touch_last_used(session: AsyncSession, user_id: uuid.UUID, scenario_id: uuid.UUID) -> None:
    config = await repository.get_config(session, user_id, scenario_id) or UserScenarioConfig(
        user_id=user_id, scenario_id=scenario_id
    )
    config.last_used_at = utcnow()
    session.add(config)


async def match_scenarios(session: AsyncSession, user: User, text: str, limit: int) -> ScenarioMatches:
    """Rank the user's visible scenarios for a first message."""
    from aigc.scenarios import matcher

    matches, fallback = await matcher.match(session, user, text, limit)
    publics = await to_public(session, user, [m.scenario for m in matches])
    return ScenarioMatches(
        items=[
            ScenarioMatch(scenario=p, score=m.score, reason=m.reason)
            for p, m in zip(publics, matches, strict=True)
        ],
        fallback=fallback,
    )


async def best_match(session: AsyncSession, user: User, text: str) -> Scenario | None:
    """The scenario that fits a first message best (the default one when none fits), or None."""
    from aigc.scenarios import matcher

    return await matcher.best_match(session, user, text)


async def delete_private_scenarios_of(session: AsyncSession, user_id: uuid.UUID) -> None:
    """A deleted account takes its private scenarios with it; public ones it created stay."""
    await repository.delete_private_of(session, user_id)
