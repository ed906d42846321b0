"""Scenario endpoints: the gallery, management, the default, and each user's own settings."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aigc.auth.dependencies import AdminUser, CurrentUser
from aigc.core.deps import SessionDep, SettingsDep
from aigc.core.errors import error_responses
from aigc.scenarios import service
from aigc.scenarios.schemas import (
    ScenarioCreate,
    ScenarioMatches,
    ScenarioMatchRequest,
    ScenarioPublic,
    ScenariosPublic,
    ScenarioUpdate,
    UserScenarioConfigPublic,
    UserScenarioConfigUpdate,
)

router = APIRouter(prefix="/scenarios", tags=["scenarios"], responses=error_responses(401))


@router.get("", summary="List scenarios", response_model=ScenariosPublic)
async def list_scenarios(
    session: SessionDep,
    user: CurrentUser,
    search: Annotated[str | None, Query(max_length=100)] = None,
    category: Annotated[str | None, Query(max_length=50)] = None,
    favorites_only: bool = False,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ScenariosPublic:
    """Public scenarios and the user's own, the default first."""
    return await service.list_scenarios(
        session,
        user,
        search=search,
        category=category,
        favorites_only=favorites_only,
        offset=offset,
        limit=limit,
    )


@router.post(
    "",
    summary="Create a scenario",
    response_model=ScenarioPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409, 422),
)
async def create_scenario(data: ScenarioCreate, session: SessionDep, user: CurrentUser) -> ScenarioPublic:
    """Users create private scenarios; administrators may publish them."""
    return await service.create_scenario(session, user, data)


@router.post(
    "/match",
    summary="Suggest scenarios for a message",
    response_model=ScenarioMatches,
    responses=error_responses(422),
)
async def match_scenarios(
    data: ScenarioMatchRequest, session: SessionDep, user: CurrentUser
) -> ScenarioMatches:
    """Rank the scenarios the user can use for this text (Chinese or English), with a score and a reason."""
    return await service.match_scenarios(session, user, data.text, data.limit)


@router.get(
    "/default",
    summary="Get the default scenario",
    response_model=ScenarioPublic,
    responses=error_responses(404),
)
async def get_default(session: SessionDep, user: CurrentUser) -> ScenarioPublic:
    """The scenario used when none is chosen."""
    return (await service.to_public(session, user, [await service.get_default_scenario(session)]))[0]


@router.get(
    "/{scenario_id}", summary="Get a scenario", response_model=ScenarioPublic, responses=error_responses(404)
)
async def get_scenario(scenario_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ScenarioPublic:
    """One scenario the user may see."""
    return (await service.to_public(session, user, [await service.get_scenario(session, user, scenario_id)]))[
        0
    ]


@router.patch(
    "/{scenario_id}",
    summary="Update a scenario",
    response_model=ScenarioPublic,
    responses=error_responses(403, 404, 409, 422),
)
async def update_scenario(
    scenario_id: uuid.UUID, changes: ScenarioUpdate, session: SessionDep, user: CurrentUser
) -> ScenarioPublic:
    """Change the fields sent; owners change their own, administrators the public ones."""
    return await service.update_scenario(session, user, scenario_id, changes)


@router.delete(
    "/{scenario_id}",
    summary="Delete a scenario",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404, 409),
)
async def delete_scenario(scenario_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> None:
    """Delete a scenario (not the default); its sessions stay readable."""
    await service.delete_scenario(session, user, scenario_id)


@router.post(
    "/{scenario_id}/default",
    summary="Make a scenario the default",
    response_model=ScenarioPublic,
    responses=error_responses(403, 404, 409),
)
async def set_default(scenario_id: uuid.UUID, session: SessionDep, admin: AdminUser) -> ScenarioPublic:
    """Administrators choose the one default scenario."""
    return await service.set_default(session, admin, scenario_id)


@router.put(
    "/{scenario_id}/config",
    summary="Update my settings for a scenario",
    response_model=UserScenarioConfigPublic,
    responses=error_responses(404, 422),
)
async def update_my_config(
    scenario_id: uuid.UUID,
    changes: UserScenarioConfigUpdate,
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
) -> UserScenarioConfigPublic:
    """Favourite, extra instructions and model choice, for the signed-in user only."""
    return await service.update_user_config(session, user, scenario_id, changes, settings.default_model)
