"""MCP server endpoints: administrators register and change servers; users list the ones they may attach."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from aigc.auth.dependencies import AdminUser, CurrentUser
from aigc.core.deps import SessionDep
from aigc.core.errors import error_responses
from aigc.integrations import service
from aigc.integrations.schemas import (
    McpServerCreate,
    McpServerPublic,
    McpServersPublic,
    McpServerTest,
    McpServerUpdate,
)

router = APIRouter(prefix="/mcp-servers", tags=["mcp-servers"], responses=error_responses(401))


@router.get("", summary="List MCP servers", response_model=McpServersPublic)
async def list_servers(
    session: SessionDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> McpServersPublic:
    """Administrators: every server, secrets masked. Users: the enabled servers they may attach."""
    return await service.list_servers(session, user, offset, limit)


@router.post(
    "",
    summary="Register an MCP server",
    response_model=McpServerPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409, 422),
)
async def create_server(data: McpServerCreate, session: SessionDep, admin: AdminUser) -> McpServerPublic:
    """A stdio command (started as the server's user, outside the shell sandbox) or an HTTP/SSE URL."""
    return service.to_public(await service.create_server(session, admin, data), admin)


@router.get(
    "/{mcp_server_id}",
    summary="Get an MCP server",
    response_model=McpServerPublic,
    responses=error_responses(403, 404),
)
async def get_server(mcp_server_id: uuid.UUID, session: SessionDep, admin: AdminUser) -> McpServerPublic:
    """One server with its secrets masked."""
    return service.to_public(await service.get_server(session, mcp_server_id), admin)


@router.patch(
    "/{mcp_server_id}",
    summary="Change an MCP server",
    response_model=McpServerPublic,
    responses=error_responses(403, 404, 409, 422),
)
async def update_server(
    mcp_server_id: uuid.UUID, changes: McpServerUpdate, session: SessionDep, admin: AdminUser
) -> McpServerPublic:
    """Only the fields sent change; env and header values sent back masked keep their stored secret."""
    return service.to_public(await service.update_server(session, mcp_server_id, changes), admin)


@router.delete(
    "/{mcp_server_id}",
    summary="Delete an MCP server",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404),
)
async def delete_server(mcp_server_id: uuid.UUID, session: SessionDep, _admin: AdminUser) -> None:
    """The server goes, and every scenario stops using it."""
    await service.delete_server(session, mcp_server_id)


@router.post(
    "/{mcp_server_id}/test",
    summary="Test an MCP server",
    response_model=McpServerTest,
    responses=error_responses(403, 404),
)
async def test_server(mcp_server_id: uuid.UUID, session: SessionDep, _admin: AdminUser) -> McpServerTest:
    """Connect as an agent would and list the server's tools; `ok` false with the reason when that fails."""
    return await service.test_server(session, mcp_server_id)
