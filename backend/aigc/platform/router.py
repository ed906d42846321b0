"""Public status endpoints: health and deployment facts."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from aigc.core import metrics
from aigc.core.deps import SettingsDep
from aigc.core.errors import AuthenticationError
from aigc.platform import service
from aigc.platform.schemas import HealthPublic, PlatformInfo

public_router = APIRouter(tags=["platform"])


@public_router.get(
    "/health",
    summary="Health check",
    response_model=HealthPublic,
    responses={503: {"model": HealthPublic, "description": "A part of the platform is failing"}},
)
async def health(request: Request, settings: SettingsDep) -> JSONResponse:
    """200 when every part works; 503 naming the failing part otherwise."""
    result = await service.health(request.app.state, settings)
    return JSONResponse(result.model_dump(), status_code=200 if result.status == "ok" else 503)


@public_router.get("/platform/info", summary="Platform info", response_model=PlatformInfo)
async def info(settings: SettingsDep) -> PlatformInfo:
    """What a client needs before sign-in: version, registration mode, whether the demo model is in use."""
    return service.info(settings)


metrics_router = APIRouter(tags=["platform"])


@metrics_router.get(
    "/metrics", summary="Prometheus metrics", response_class=Response, include_in_schema=False
)
async def prometheus_metrics(
    settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """Prometheus text format; when METRICS_TOKEN is set, scrapers must send it as a Bearer token."""
    expected = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if expected and not secrets.compare_digest(authorization or "", f"Bearer {expected}"):
        raise AuthenticationError("A valid metrics token is required")
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
