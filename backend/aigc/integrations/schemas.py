"""Typed shapes of MCP servers at the API edge, and what a turn gets of them."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Words of lower case letters and digits joined by single '-' or '_': the agent names a tool
# mcp__<server>__<tool>, so '__' would be ambiguous, and other characters would be rewritten by the CLI.
SERVER_NAME_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
TOOL_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
HEADER_NAME_PATTERN = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$"
Transport = Literal["stdio", "http", "sse"]
# What the API shows instead of a secret: the last characters of long values only.
MASK = "****"
MASK_SHOWS_TAIL_FROM = 16

Secrets = dict[str, str]


def mask(value: str) -> str:
    """A secret as the API shows it."""
    return MASK + value[-4:] if len(value) >= MASK_SHOWS_TAIL_FROM else MASK


def _check_names(values: Secrets, pattern: str, what: str) -> Secrets:

    if len(values) > 50:
        raise ValueError(f"at most 50 {what}s")
    for name, value in values.items():
        if not re.match(pattern, name):
            raise ValueError(f"not a valid {what} name: {name!r}")
        if len(value) > 8000 or any(ch in value for ch in "\r\n\0"):
            raise ValueError(f"the value of {name} must be one line of at most 8000 characters")
    return values


class _ServerFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=2000)
    command: str | None = Field(default=None, min_length=1, max_length=1000)
    args: list[str] | None = Field(default=None, max_length=50)
    env: Secrets | None = Field(default=None, description="Environment of a stdio server; shown masked")
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    headers: Secrets | None = Field(default=None, description="HTTP headers sent to the server; shown masked")
    is_enabled: bool | None = None
    available_to_users: bool | None = Field(
        default=None, description="Users may attach it to their own private scenarios"
    )

    @field_validator("env")
    @classmethod
    def _env(cls, value: Secrets | None) -> Secrets | None:
        return None if value is None else _check_names(value, ENV_NAME_PATTERN, "variable")

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: Secrets | None) -> Secrets | None:
        return None if value is None else _check_names(value, HEADER_NAME_PATTERN, "header")

    @field_validator("args")
    @classmethod
    def _args(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and any(len(arg) > 1000 or "\0" in arg for arg in value):
            raise ValueError("each argument must be at most 1000 characters")
        return value


class McpServerCreate(_ServerFields):
    """A new server: stdio (command, args, env) or http/sse (url, headers)."""

    name: str = Field(
        max_length=48, pattern=SERVER_NAME_PATTERN, description="Tools appear as mcp__<name>__<tool>"
    )
    transport: Transport


class McpServerUpdate(_ServerFields):
    """Partial update. In env and headers, a value sent back as shown (masked) keeps the stored secret."""

    name: str | None = Field(default=None, max_length=48, pattern=SERVER_NAME_PATTERN)
    transport: Transport | None = None

    @model_validator(mode="after")
    def _no_null(self) -> McpServerUpdate:
        clearable = {"command", "url", "description"}
        cleared = sorted(n for n in self.model_fields_set - clearable if getattr(self, n) is None)
        if cleared:
            raise ValueError(f"These fields cannot be null: {', '.join(cleared)}")
        return self


class McpServerPublic(BaseModel):
    """A server as the API shows it: env and header values masked; users see no connection details."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str
    transport: Transport
    command: str | None
    args: list[str]
    env: dict[str, str]
    url: str | None
    headers: dict[str, str]
    is_enabled: bool
    available_to_users: bool
    created_at: datetime
    updated_at: datetime


class McpServersPublic(BaseModel):
    items: list[McpServerPublic]
    count: int


class ScenarioMcpServerLink(BaseModel):
    """An MCP server a scenario uses, and which of its tools (empty: all)."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")

    server_id: uuid.UUID
    tools: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("tools")
    @classmethod
    def _tools(cls, value: list[str]) -> list[str]:

        bad = [tool for tool in value if not re.match(TOOL_NAME_PATTERN, tool)]
        if bad:
            raise ValueError(f"not a tool name: {bad[0]!r}")
        return list(dict.fromkeys(value))


class McpServerForTurn(BaseModel):
    """What a turn's agent gets of one server (JSON-safe: it crosses the task queue with the plan)."""

    name: str
    # The Claude Agent SDK's stdio / http / sse server config, secrets included.
    config: dict[str, Any]
    tools: list[str] = Field(default_factory=list)


class McpToolInfo(BaseModel):
    name: str
    description: str = ""


class McpServerTest(BaseModel):
    """Whether the platform could connect to a server, and the tools it offers."""

    ok: bool
    tools: list[McpToolInfo] = Field(default_factory=list)
    error: str | None = Field(default=None, description="Why the connection or the listing failed")
    duration_ms: int
