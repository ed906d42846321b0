"""The stats endpoint (mounted before the sessions router so that /sessions/stats is not taken for an id)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from aigc.auth.dependencies import CurrentUser
from aigc.core.deps import SessionDep
from aigc.core.errors import error_responses
from aigc.stats import service
from aigc.stats.schemas import StatsPublic

router = APIRouter(prefix="/sessions", tags=["stats"], responses=error_responses(401))


@router.get(
    "/stats", summary="Usage statistics", response_model=StatsPublic, responses=error_responses(403, 422)
)
async def get_stats(
    session: SessionDep,
    user: CurrentUser,
    user_id: Annotated[uuid.UUID | None, Query(description="Administrators: one user's statistics")] = None,
    date_from: Annotated[date | None, Query(description="First day included (UTC)")] = None,
    date_to: Annotated[date | None, Query(description="Last day included (UTC)")] = None,
) -> StatsPublic:
    """Sessions, messages, tokens and cost in total and by day, scenario and model, with satisfaction per scenario."""
    return await service.compute_stats(session, user, user_id, date_from, date_to)
