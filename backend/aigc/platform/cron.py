"""Scheduled jobs for administrators: list them with their recent runs, or run one now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from aigc.auth.dependencies import AdminUser
from aigc.core.deps import SessionDep, SettingsDep
from aigc.core.errors import error_responses
from aigc.platform import config_reload
from aigc.platform.schemas import ConfigReloadResult
from aigc.scheduler import service as scheduler_service
from aigc.scheduler.schemas import JobPublic, JobRunPublic

router = APIRouter(prefix="/platform/cron", tags=["jobs"], responses=error_responses(401, 403))

# Registered by aigc.preferences.jobs; named here because this endpoint predates running jobs by name.
LEARN_PREFERENCES = "learn-preferences"


@router.post(
    "/batch-learn-preferences",
    summary="Run preference learning now",
    response_model=JobRunPublic,
    responses=error_responses(409, 422),
)
async def batch_learn_preferences(
    request: Request,
    _admin: AdminUser,
    settings: SettingsDep,
    min_feedback_count: Annotated[
        int | None,
        Query(
            ge=1,
            le=10_000,
            description="Users with fewer ratings are left out (default: PREFERENCE_MIN_FEEDBACK_COUNT)",
        ),
    ] = None,
) -> JobRunPublic:
    """Learn every eligible user's preferences now (users whose feedback is unchanged are skipped)."""
    threshold = min_feedback_count or settings.preference_min_feedback_count
    return await scheduler_service.trigger(
        LEARN_PREFERENCES, settings, {"min_feedback_count": threshold}, request.app.state
    )


@router.get("/jobs", summary="Scheduled jobs", response_model=list[JobPublic])
async def list_jobs(
    request: Request, session: SessionDep, settings: SettingsDep, _admin: AdminUser
) -> list[JobPublic]:
    """Each job with its interval, next run and recent runs (from every server process)."""
    return await scheduler_service.list_jobs(session, settings, request.app.state.scheduler)


@router.post(
    "/jobs/{name}/run",
    summary="Run a scheduled job now",
    response_model=JobRunPublic,
    responses=error_responses(404, 409),
)
async def run_job(
    request: Request,
    settings: SettingsDep,
    _admin: AdminUser,
    name: Annotated[
        str, Path(max_length=64, description="The job's id, as GET /platform/cron/jobs lists it")
    ],
) -> JobRunPublic:
    """Run one registered job now with its default parameters; 409 while it runs elsewhere or is turned off."""
    return await scheduler_service.trigger(name, settings, {}, request.app.state)


admin_router = APIRouter(prefix="/platform", tags=["platform"], responses=error_responses(401, 403))


@admin_router.post(
    "/reload-config",
    summary="Reload the configuration",
    response_model=ConfigReloadResult,
    responses=error_responses(422, 503),
)
async def reload_config(request: Request, settings: SettingsDep, _admin: AdminUser) -> ConfigReloadResult:
    """Re-read model aliases, limits and defaults without a restart; an invalid change keeps the old values.

    With REDIS_URL, every other process (web replicas and workers) then reloads its own configuration too.
    """
    result = config_reload.reload_settings(settings, request.app.state.turns.runtime)
    broadcast = getattr(request.app.state, "config_broadcast", None)
    if broadcast is not None:
        await broadcast.announce()
    return result
