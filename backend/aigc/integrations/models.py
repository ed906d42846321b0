"""MCP servers an administrator registered, and which of them each scenario's agent may use."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Text, Uuid
from sqlmodel import Field, SQLModel

from aigc.core.models import UTCDateTime, new_id, updated_at_field, utcnow


class McpServer(SQLModel, table=True):
    __tablename__ = "mcp_servers"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    # The agent sees its tools as mcp__<name>__<tool>.
    name: str = Field(max_length=48, unique=True, index=True)
    description: str = Field(default="", sa_type=Text)
    transport: str = Field(max_length=8)  # stdio | http | sse
    # stdio: the command the agent's CLI starts (as the server's user, outside the shell sandbox).
    command: str | None = Field(default=None, max_length=1000)
    args: list[str] = Field(default_factory=list, sa_type=JSON)
    # Secrets as given (the API only ever shows them masked): the process's environment, the HTTP headers.
    env: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    url: str | None = Field(default=None, max_length=2000)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    is_enabled: bool = Field(default=True)
    # Whether users may attach it to their own private scenarios (admins may attach any).
    available_to_users: bool = Field(default=False)
    created_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()


class ScenarioMcpServer(SQLModel, table=True):
    __tablename__ = "scenario_mcp_servers"

    scenario_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True)
    )
    server_id: uuid.UUID = Field(
        sa_column=Column(
            Uuid(), ForeignKey("mcp_servers.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    # The server's tools the scenario allows, by their name on the server; empty: all of them.
    tools: list[str] = Field(default_factory=list, sa_type=JSON)
