"""Learned preferences as users see and steer them, and what a new session takes from them."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.errors import AppError, NotFoundError
from aigc.core.models import utcnow
from aigc.feedback import repository as feedback_repository
from aigc.preferences import profile as profiles
from aigc.preferences.models import UserPreferencesCache
from aigc.preferences.schemas import (
    EvidencePublic,
    PreferenceItemPublic,
    PreferencesPublic,
    PreferencesUpdate,
)
from aigc.scenarios import repository as scenario_repository
from aigc.stats import repository as stats_repository
from aigc.users import service as user_service
from aigc.users.models import User


async def active_instructions(
    session: AsyncSession, user_id: uuid.UUID, scenario_id: uuid.UUID | None
) -> tuple[list[str], int | None]:
    """The enabled items for this scenario and the profile version they come from (None: nothing learned)."""
    cache = await session.get(UserPreferencesCache, user_id)
    if cache is None:
        return [], None
    lines = profiles.active_lines(cache.profile, str(scenario_id) if scenario_id else None)
    return lines, (cache.version if lines else None)


async def get_profile(session: AsyncSession, user_id: uuid.UUID) -> PreferencesPublic:
    cache = await session.get(UserPreferencesCache, user_id)
    if cache is None:
        return PreferencesPublic(
            user_id=user_id,
            items=[],
            summary="",
            version=0,
            feedback_count=0,
            learned_at=None,
            model_used="",
            paused=False,
        )
    visible = [p for p in cache.profile if not p.get("dismissed")]
    evidence_ids = {uuid.UUID(e) for p in visible for e in p.get("evidence", [])}
    feedback = {f.id: f for f in await feedback_repository.by_ids(session, user_id, list(evidence_ids))}
    scenario_ids = [uuid.UUID(p["scope"]) for p in visible if p.get("scope", "all") != "all"]
    names = await stats_repository.scenario_names(session, scenario_ids)
    items = []
    for p in visible:
        scope = p.get("scope", "all")
        items.append(
            PreferenceItemPublic(
                id=p["id"],
                instruction=p["instruction"],
                instruction_zh=p.get("instruction_zh", ""),
                scope=scope,
                scenario_name=names.get(uuid.UUID(scope)) if scope != "all" else None,
                confidence=p.get("confidence"),
                source=p.get("source", "learned"),
                enabled=p.get("enabled", True),
                evidence=[
                    EvidencePublic(
                        feedback_id=f.id,
                        message_id=f.message_id,
                        session_id=f.session_id,
                        rating=f.rating,  # type: ignore[arg-type]
                        tags=f.tags,
                        comment=f.comment,
                        created_at=f.created_at,
                    )
                    for e in p.get("evidence", [])
                    if (f := feedback.get(uuid.UUID(e))) is not None
                ],
            )
        )
    return PreferencesPublic(
        user_id=user_id,
        items=items,
        summary=cache.summary,
        version=cache.version,
        feedback_count=cache.feedback_count,
        learned_at=cache.learned_at,
        model_used=cache.model_used,
        paused=cache.paused,
    )


async def get_profile_as_admin(session: AsyncSession, user_id: uuid.UUID) -> PreferencesPublic:
    await user_service.get_user(session, user_id)
    return await get_profile(session, user_id)


async def update_profile(session: AsyncSession, user: User, changes: PreferencesUpdate) -> PreferencesPublic:
    """Edit, add, disable or remove items, and pause or resume learning."""
    cache = await session.get(UserPreferencesCache, user.id) or UserPreferencesCache(user_id=user.id)
    if changes.items is not None:
        cache.profile = await _apply_items(session, user, cache.profile, changes)
        cache.version += 1
    if changes.paused is not None:
        cache.paused = changes.paused
    cache.updated_at = utcnow()
    session.add(cache)
    await session.flush()
    return await get_profile(session, user.id)


async def _apply_items(
    session: AsyncSession, user: User, previous: list[dict[str, Any]], changes: PreferencesUpdate
) -> list[dict[str, Any]]:
    by_id = {p["id"]: p for p in previous}
    valid_scopes = {"all"}
    for item in changes.items or []:
        if item.scope != "all" and item.scope not in valid_scopes:
            try:
                scenario = await scenario_repository.get_visible(session, user, uuid.UUID(item.scope))
            except ValueError:
                scenario = None
            if scenario is None:
                raise AppError(
                    f"Unknown scenario {item.scope!r} in scope", code="unknown_scope", status_code=422
                )
            valid_scopes.add(item.scope)
    result: list[dict[str, Any]] = []
    for item in changes.items or []:
        if item.id and item.id in by_id:
            stored = dict(by_id.pop(item.id))
            if stored["instruction"] != item.instruction or stored.get("scope", "all") != item.scope:
                stored.update(
                    instruction=item.instruction, instruction_zh="", scope=item.scope, source="edited"
                )
            stored["enabled"] = item.enabled
            result.append(stored)
        elif item.id:
            raise NotFoundError(f"No preference item {item.id!r}")
        else:
            result.append(
                {
                    "id": f"u-{uuid.uuid4().hex[:12]}",
                    "instruction": item.instruction,
                    "instruction_zh": "",
                    "scope": item.scope,
                    "confidence": None,
                    "evidence": [],
                    "source": "user",
                    "enabled": item.enabled,
                    "dismissed": False,
                }
            )
    # Items left out were removed: keep a dismissed marker so the next learning run does not bring them back.
    for removed in by_id.values():
        if removed.get("source") != "user":
            result.append({**removed, "dismissed": True, "enabled": False})
    return result


async def reset(session: AsyncSession, user: User) -> None:
    """Forget everything learned and every edit; learning starts again at its next run."""
    cache = await session.get(UserPreferencesCache, user.id)
    if cache is not None:
        await session.delete(cache)
        await session.flush()
