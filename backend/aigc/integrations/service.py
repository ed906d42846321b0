"""MCP server rules: admins register them, scenarios attach them, turns get their configs.

A stdio server is a command the agent's CLI starts as the platform's own user, outside the shell
sandbox, with the environment written here: only administrators may define servers for that reason.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.config import get_settings
from aigc.core.errors import AppError, ConflictError, NotFoundError
from aigc.integrations import probe, repository
from aigc.integrations.models import McpServer
from aigc.integrations.network import UnsafeUrl, check_url
from aigc.integrations.schemas import (
    McpServerCreate,
    McpServerForTurn,
    McpServerPublic,
    McpServersPublic,
    McpServerTest,
    McpServerUpdate,
    ScenarioMcpServerLink,
    mask,
)
from aigc.users.models import User

logger = logging.getLogger("aigc.integrations")

MAX_SERVERS_PER_SCENARIO = 10
# How long an administrator's connection test may take, start-up of a stdio server included.
TEST_TIMEOUT_SECONDS = 20.0


def to_public(server: McpServer, user: User) -> McpServerPublic:
    """Secrets masked for admins; users see what a server is, not how to reach it."""
    public = McpServerPublic.model_validate(server)
    if not user.is_admin:
        return public.model_copy(update={"command": None, "args": [], "env": {}, "url": None, "headers": {}})
    return public.model_copy(
        update={
            "env": {name: mask(value) for name, value in server.env.items()},
            "headers": {name: mask(value) for name, value in server.headers.items()},
        }
    )


async def list_servers(session: AsyncSession, user: User, offset: int, limit: int) -> McpServersPublic:
    """Admins: every server. Users: the enabled ones they may attach to their own scenarios."""
    servers, count = await repository.list_servers(
        session, users_only=not user.is_admin, offset=offset, limit=limit
    )
    return McpServersPublic(items=[to_public(s, user) for s in servers], count=count)


async def get_server(session: AsyncSession, server_id: uuid.UUID) -> McpServer:
    server = await repository.get(session, server_id)
    if server is None:
        raise NotFoundError("No such MCP server")
    return server


async def create_server(session: AsyncSession, admin: User, data: McpServerCreate) -> McpServer:
    if await repository.get_by_name(session, data.name):
        raise ConflictError(f"An MCP server named '{data.name}' exists already", code="mcp_server_name_taken")
    values = data.model_dump(exclude_none=True)
    server = McpServer(**values, created_by=admin.id)
    await _check_connection_fields(server)
    session.add(server)
    await session.flush()
    return server


async def update_server(session: AsyncSession, server_id: uuid.UUID, changes: McpServerUpdate) -> McpServer:
    server = await get_server(session, server_id)
    fields = changes.model_dump(exclude_unset=True)
    if (
        "name" in fields
        and fields["name"] != server.name
        and await repository.get_by_name(session, fields["name"])
    ):
        raise ConflictError(
            f"An MCP server named '{fields['name']}' exists already", code="mcp_server_name_taken"
        )
    for secret in ("env", "headers"):
        if secret in fields:
            fields[secret] = _keep_masked(fields[secret], getattr(server, secret))
    for name, value in fields.items():
        setattr(server, name, value if value is not None or name != "description" else "")
    await _check_connection_fields(server)
    session.add(server)
    await session.flush()
    return server


def _keep_masked(sent: dict[str, str], stored: dict[str, str]) -> dict[str, str]:
    """A value sent back exactly as the API showed it stands for the stored secret."""
    return {
        name: stored[name] if name in stored and value == mask(stored[name]) else value
        for name, value in sent.items()
    }


async def _check_connection_fields(server: McpServer) -> None:
    """The fields of its transport are there, the others are not, and an HTTP URL is allowed."""
    if server.transport == "stdio":
        if not server.command:
            raise _invalid("A stdio server needs a command")
        if server.url or server.headers:
            raise _invalid("A stdio server takes a command, args and env; url and headers are for http/sse")
        return
    if not server.url:
        raise _invalid(f"An {server.transport} server needs a url")
    if server.command or server.args or server.env:
        raise _invalid(
            f"An {server.transport} server takes a url and headers; command, args and env are for stdio"
        )
    try:
        await check_url(server.url, get_settings().mcp_allow_private_networks)
    except UnsafeUrl as exc:
        raise AppError(str(exc), code="mcp_server_url_refused", status_code=422) from exc


def _invalid(message: str) -> AppError:
    return AppError(message, code="mcp_server_invalid", status_code=422)


async def delete_server(session: AsyncSession, server_id: uuid.UUID) -> None:
    """The server goes, and with it every scenario's link to it."""
    server = await get_server(session, server_id)
    await session.delete(server)
    await session.flush()


async def test_server(session: AsyncSession, server_id: uuid.UUID) -> McpServerTest:
    """Connect as an agent would and list the server's tools; a failure is a result, not an error."""
    server = await get_server(session, server_id)
    if server.url is not None:
        try:
            await check_url(server.url, get_settings().mcp_allow_private_networks)
        except UnsafeUrl as exc:
            return McpServerTest(ok=False, error=str(exc), duration_ms=0)
    return await probe.list_tools(server, TEST_TIMEOUT_SECONDS)


# --- scenarios (called by the scenarios service)
async def check_attachable(session: AsyncSession, user: User, links: Sequence[ScenarioMcpServerLink]) -> None:
    """Every linked server exists, once; a user may only attach servers an admin made available to users."""
    ids = [link.server_id for link in links]
    if len(set(ids)) != len(ids):
        raise AppError("An MCP server is listed twice", code="mcp_server_duplicate", status_code=422)
    if len(ids) > MAX_SERVERS_PER_SCENARIO:
        raise AppError(
            f"A scenario may use at most {MAX_SERVERS_PER_SCENARIO} MCP servers",
            code="mcp_server_limit",
            status_code=422,
        )
    found = {server.id: server for server in await repository.get_many(session, ids)}
    # A user is not told whether a server they may not use exists.
    missing = [sid for sid in ids if sid not in found or not (user.is_admin or found[sid].available_to_users)]
    if missing:
        raise AppError(f"Unknown MCP server {missing[0]}", code="unknown_mcp_server", status_code=422)


async def set_for_scenario(
    session: AsyncSession, scenario_id: uuid.UUID, links: Sequence[ScenarioMcpServerLink]
) -> None:
    await repository.set_links(session, scenario_id, [(link.server_id, list(link.tools)) for link in links])


async def links_for_scenarios(
    session: AsyncSession, scenario_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ScenarioMcpServerLink]]:
    found = await repository.links_for_scenarios(session, scenario_ids)
    return {
        scenario_id: [ScenarioMcpServerLink.model_validate(link) for link in links]
        for scenario_id, links in found.items()
    }


# --- turns (called by the sessions service)
async def servers_for_turn(
    session: AsyncSession, scenario_id: uuid.UUID, trusted: bool
) -> list[dict[str, Any]]:
    """The scenario's enabled servers as the agent's SDK takes them (JSON-safe, secrets included).

    `trusted`: the scenario is public or the user is an admin. Otherwise only servers still available to
    users are given, so an admin taking that back takes the server out of users' scenarios at once.
    """
    allow_private = get_settings().mcp_allow_private_networks
    servers = []
    for server, tools in await repository.enabled_for_scenario(session, scenario_id):
        if not (trusted or server.available_to_users):
            continue
        if server.url is not None:
            try:  # its address may have changed since it was saved
                await check_url(server.url, allow_private)
            except UnsafeUrl as exc:
                logger.warning("MCP server %s left out of a turn: %s", server.name, exc)
                continue
        servers.append(
            McpServerForTurn(name=server.name, config=_sdk_config(server), tools=tools).model_dump()
        )
    return servers


def _sdk_config(server: McpServer) -> dict[str, Any]:
    if server.transport == "stdio":
        return {
            "type": "stdio",
            "command": server.command,
            "args": list(server.args),
            "env": dict(server.env),
        }
    return {"type": server.transport, "url": server.url, "headers": dict(server.headers)}
