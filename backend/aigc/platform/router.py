"""Public status endpoints: health and deployment facts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from aigc.core.deps import SettingsDep
from aigc.platform import service
from aigc.platform.schemas import HealthPublic, PlatformInfo

public_router = APIRouter(tags=["platform"])


@public_router.get(
    "/health",
    summary="Health check",
    response_model=HealthPublic,
    responses={503: {"model": HealthPublic, "description": "A part of the platform is failing"}},
)
async def health(request: Request) -> JSONResponse:
    """200 when every part works; 503 naming the failing part otherwise."""
    result = await service.health(request.app.state)
    return JSONResponse(result.model_dump(), status_code=200 if result.status == "ok" else 503)


@public_router.get("/platform/info", summary="Platform info", response_model=PlatformInfo)
async def info(settings: SettingsDep) -> PlatformInfo:
    """What a client needs before sign-in: version, registration mode, whether the demo model is in use."""
    return service.info(settings)
