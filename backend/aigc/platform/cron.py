"""Scheduled jobs for administrators: list them with their recent runs, or run one now."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from aigc.auth.dependencies import AdminUser
from aigc.core.deps import SessionDep, SettingsDep
from aigc.core.errors import error_responses
from aigc.platform import config_reload
from aigc.platform.schemas import ConfigReloadResult
from aigc.preferences import jobs as preference_jobs
from aigc.preferences import repository as preference_repository
from aigc.preferences.schemas import JobPublic, JobRunPublic

router = APIRouter(prefix="/platform/cron", tags=["jobs"], responses=error_responses(401, 403))

RECENT_RUNS = 10


@router.post(
    "/batch-learn-preferences",
    summary="Run preference learning now",
    response_model=JobRunPublic,
    responses=error_responses(409, 422),
)
async def batch_learn_preferences(
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
    run = await preference_jobs.learn_preferences(settings, min_feedback_count=threshold, trigger="manual")
    assert run is not None  # manual runs either run or raise
    return run


@router.get("/jobs", summary="Scheduled jobs", response_model=list[JobPublic])
async def list_jobs(request: Request, session: SessionDep, _admin: AdminUser) -> list[JobPublic]:
    """Each job with its interval, next run and recent runs (from every server process)."""
    scheduler = request.app.state.scheduler
    runs = await preference_repository.recent_runs(session, preference_jobs.JOB_NAME, RECENT_RUNS)
    interval = scheduler.intervals().get(
        preference_jobs.JOB_NAME, scheduler.settings.preference_learning_interval_minutes * 60
    )
    return [
        JobPublic(
            id=preference_jobs.JOB_NAME,
            name="Learn preferences from feedback",
            interval_seconds=interval,
            next_run_at=scheduler.next_run(preference_jobs.JOB_NAME),
            scheduler_running=scheduler.running,
            recent_runs=[JobRunPublic.model_validate(run) for run in runs],
        )
    ]


admin_router = APIRouter(prefix="/platform", tags=["platform"], responses=error_responses(401, 403))


@admin_router.post(
    "/reload-config",
    summary="Reload the configuration",
    response_model=ConfigReloadResult,
    responses=error_responses(422),
)
async def reload_config(request: Request, _admin: AdminUser) -> ConfigReloadResult:
    """Re-read model aliases, limits and defaults without a restart; an invalid change keeps the old values."""
    return config_reload.reload_settings(request.app.state.settings, request.app.state.turns.runtime)
