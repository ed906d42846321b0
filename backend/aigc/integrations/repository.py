"""Every query on MCP servers and on the scenario links to them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.integrations.models import McpServer, ScenarioMcpServer


async def get(session: AsyncSession, server_id: uuid.UUID) -> McpServer | None:
    return await session.get(McpServer, server_id)


async def get_by_name(session: AsyncSession, name: str) -> McpServer | None:
    return (await session.exec(select(McpServer).where(McpServer.name == name))).first()


async def get_many(session: AsyncSession, server_ids: Sequence[uuid.UUID]) -> list[McpServer]:
    if not server_ids:
        return []
    rows = await session.exec(select(McpServer).where(col(McpServer.id).in_(server_ids)))
    return list(rows.all())


async def list_servers(
    session: AsyncSession, *, users_only: bool, offset: int, limit: int
) -> tuple[list[McpServer], int]:
    """All servers, or (users_only) the enabled ones users may attach."""
    query = select(McpServer)
    if users_only:
        query = query.where(col(McpServer.available_to_users).is_(True), col(McpServer.is_enabled).is_(True))
    count = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
    rows = await session.exec(query.order_by(McpServer.name).offset(offset).limit(limit))
    return list(rows.all()), int(count)


async def links_for_scenarios(
    session: AsyncSession, scenario_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ScenarioMcpServer]]:
    if not scenario_ids:
        return {}
    rows = await session.exec(
        select(ScenarioMcpServer)
        .where(col(ScenarioMcpServer.scenario_id).in_(scenario_ids))
        .order_by(col(ScenarioMcpServer.server_id))
    )
    links: dict[uuid.UUID, list[ScenarioMcpServer]] = {}
    for link in rows.all():
        links.setdefault(link.scenario_id, []).append(link)
    return links


async def set_links(
    session: AsyncSession, scenario_id: uuid.UUID, links: Sequence[tuple[uuid.UUID, list[str]]]
) -> None:
    await session.exec(delete(ScenarioMcpServer).where(col(ScenarioMcpServer.scenario_id) == scenario_id))
    for server_id, tools in links:
        session.add(ScenarioMcpServer(scenario_id=scenario_id, server_id=server_id, tools=tools))


async def enabled_for_scenario(
    session: AsyncSession, scenario_id: uuid.UUID
) -> list[tuple[McpServer, list[str]]]:
    """The scenario's enabled servers with the tools it allows of each, by server name."""
    rows = await session.exec(
        select(McpServer, ScenarioMcpServer.tools)
        .join(ScenarioMcpServer, col(ScenarioMcpServer.server_id) == col(McpServer.id))
        .where(ScenarioMcpServer.scenario_id == scenario_id, col(McpServer.is_enabled).is_(True))
        .order_by(McpServer.name)
    )
    return [(server, list(tools)) for server, tools in rows.all()]
