"""Learned preferences as users see and steer them, and what a new session takes from them."""

from __future__ import annotations

import uuid

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.errors import AppError, NotFoundError
from aigc.feedback import service as feedback_service
from aigc.preferences import profile as profiles
from aigc.preferences import repository
from aigc.preferences.models import ProfileItem, UserPreferencesCache
from aigc.preferences.schemas import (
    EvidencePublic,
    PreferenceItemPublic,
    PreferencesPublic,
    PreferencesUpdate,
)
from aigc.scenarios import service as scenario_service
from aigc.users import service as user_service
from aigc.users.models import User


async def active_instructions(
    session: AsyncSession, user_id: uuid.UUID, scenario_id: uuid.UUID | None
) -> tuple[list[str], int | None]:
    """The enabled items for this scenario and the profile version they come from (None: nothing learned)."""
    cache = await repository.get_cache(session, user_id)
    if cache is None:
        return [], None
    lines = profiles.active_lines(cache.profile, str(scenario_id) if scenario_id else None)
    return lines, (cache.version if lines else None)


async def get_profile(session: AsyncSession, user_id: uuid.UUID) -> PreferencesPublic:
    """The user's profile as they see it: visible items with their scenario and the ratings behind them."""
    cache = await repository.get_cache(session, user_id)
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
    visible = [p for p in cache.profile if not p.dismissed]
    evidence_ids = list({e for p in visible for e in p.evidence})
    feedback = {f.id: f for f in await feedback_service.by_ids(session, user_id, evidence_ids)}
    names = await scenario_service.names_of(session, [_scenario_of(p) for p in visible if p.scope != "all"])
    items = [
        PreferenceItemPublic(
            id=p.id,
            instruction=p.instruction,
            instruction_zh=p.instruction_zh,
            scope=p.scope,
            scenario_name=names.get(_scenario_of(p)) if p.scope != "all" else None,
            confidence=p.confidence,
            source=p.source,
            enabled=p.enabled,
            evidence=[
                EvidencePublic(
                    feedback_id=f.id,
                    message_id=f.message_id,
                    session_id=f.session_id,
                    rating=f.rating,
                    tags=f.tags,
                    comment=f.comment,
                    created_at=f.created_at,
                )
                for e in p.evidence
                if (f := feedback.get(e)) is not None
            ],
        )
        for p in visible
    ]
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


def _scenario_of(item: ProfileItem) -> uuid.UUID:
    return uuid.UUID(item.scope)


async def get_profile_as_admin(session: AsyncSession, user_id: uuid.UUID) -> PreferencesPublic:
    await user_service.get_user(session, user_id)
    return await get_profile(session, user_id)


async def update_profile(session: AsyncSession, user: User, changes: PreferencesUpdate) -> PreferencesPublic:
    """Edit, add, disable or remove items, and pause or resume learning."""
    cache = await repository.get_cache(session, user.id) or UserPreferencesCache(user_id=user.id)
    if changes.items is not None:
        cache.profile = await _apply_items(session, user, cache.profile, changes)
        cache.version += 1
    if changes.paused is not None:
        cache.paused = changes.paused
    session.add(cache)
    await session.flush()
    return await get_profile(session, user.id)


async def _apply_items(
    session: AsyncSession, user: User, previous: list[ProfileItem], changes: PreferencesUpdate
) -> list[ProfileItem]:
    by_id = {p.id: p for p in previous}
    valid_scopes = {"all"}
    for item in changes.items or []:
        if item.scope != "all" and item.scope not in valid_scopes:
            try:
                scenario = await scenario_service.find_visible(session, user, uuid.UUID(item.scope))
            except ValueError:
                scenario = None
            if scenario is None:
                raise AppError(
                    f"Unknown scenario {item.scope!r} in scope", code="unknown_scope", status_code=422
                )
            valid_scopes.add(item.scope)
    result: list[ProfileItem] = []
    for item in changes.items or []:
        if item.id and item.id in by_id:
            stored = by_id.pop(item.id)
            if stored.instruction != item.instruction or stored.scope != item.scope:
                stored = stored.model_copy(
                    update={
                        "instruction": item.instruction,
                        "instruction_zh": "",
                        "scope": item.scope,
                        "source": "edited",
                    }
                )
            result.append(stored.model_copy(update={"enabled": item.enabled}))
        elif item.id:
            raise NotFoundError(f"No preference item {item.id!r}")
        else:
            result.append(
                ProfileItem(
                    id=f"u-{uuid.uuid4().hex[:12]}",
                    instruction=item.instruction,
                    scope=item.scope,
                    source="user",
                    enabled=item.enabled,
                )
            )
    # Items left out were removed: keep a dismissed marker so the next learning run does not bring them back.
    for removed in by_id.values():
        if removed.source != "user":
            result.append(removed.model_copy(update={"dismissed": True, "enabled": False}))
    return result


async def reset(session: AsyncSession, user: User) -> None:
    """Forget everything learned and every edit; learning starts again at its next run."""
    # A DELETE without reading the row first: a malformed stored profile must not block its own reset.
    await repository.delete_cache(session, user.id)
