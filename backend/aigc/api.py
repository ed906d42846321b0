"""Mounts every domain router under /api/v1; routes need a signed-in user unless they are public."""

from fastapi import APIRouter, Depends

from aigc.auth import router as auth_router
from aigc.auth.dependencies import get_current_user
from aigc.feedback import router as feedback_router
from aigc.integrations import router as integrations_router
from aigc.platform import cron as cron_router
from aigc.platform import router as platform_router
from aigc.preferences import router as preferences_router
from aigc.scenarios import router as scenarios_router
from aigc.sessions import router as sessions_router
from aigc.skills import router as skills_router
from aigc.stats import router as stats_router
from aigc.users import router as users_router

API_PREFIX = "/api/v1"

public = APIRouter()
public.include_router(platform_router.public_router)
public.include_router(auth_router.public_router)

authenticated = APIRouter(dependencies=[Depends(get_current_user)])
authenticated.include_router(auth_router.router)
authenticated.include_router(users_router.router)
authenticated.include_router(scenarios_router.router)
authenticated.include_router(skills_router.router)
# Before the sessions router: /sessions/stats must not be read as a session id.
authenticated.include_router(stats_router.router)
authenticated.include_router(sessions_router.router)
authenticated.include_router(sessions_router.artifacts_router)
authenticated.include_router(feedback_router.router)
authenticated.include_router(preferences_router.router)
authenticated.include_router(integrations_router.router)
authenticated.include_router(cron_router.router)
authenticated.include_router(cron_router.admin_router)

api_router = APIRouter(prefix=API_PREFIX)
api_router.include_router(public)
api_router.include_router(authenticated)
