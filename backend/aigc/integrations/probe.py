"""Connect to a registered MCP server from the web process and list its tools (an administrator's test).

A stdio server is started here the way the agent's CLI starts it: as the platform's user, with a bare
environment plus its own `env`, in a temporary folder; it is stopped when the listing is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from typing import Any

import httpx2
from mcp import Client
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from aigc.integrations.models import McpServer
from aigc.integrations.schemas import McpServerTest, McpToolInfo


async def list_tools(server: McpServer, timeout: float) -> McpServerTest:
    """The server's tools, or why it could not be reached, within `timeout` seconds."""
    started = time.monotonic()
    # The MCP client reports an HTTP error status only as "Server returned an error response".
    refused: list[int] = []
    try:
        tools = await asyncio.wait_for(_list_tools(server, timeout, refused), timeout)
    except TimeoutError:
        return _failed(started, f"No answer within {timeout:g} s", refused)
    except BaseExceptionGroup as group:  # anyio's task groups wrap what failed inside them
        return _failed(started, _describe(_first_leaf(group)), refused)
    except Exception as exc:
        return _failed(started, _describe(exc), refused)
    return McpServerTest(ok=True, tools=tools, duration_ms=_elapsed_ms(started))


async def _list_tools(server: McpServer, timeout: float, refused: list[int]) -> list[McpToolInfo]:
    async with contextlib.AsyncExitStack() as stack:
        client = await stack.enter_async_context(
            Client(await _target(server, stack, timeout, refused), read_timeout_seconds=timeout)
        )
        result = await client.list_tools()
        return [McpToolInfo(name=tool.name, description=tool.description or "") for tool in result.tools]


async def _target(
    server: McpServer, stack: contextlib.AsyncExitStack, timeout: float, refused: list[int]
) -> Any:
    if server.transport == "stdio":
        folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="aigc-mcp-test-"))
        return StdioServerParameters(
            command=server.command or "", args=list(server.args), env=dict(server.env), cwd=folder
        )
    assert server.url is not None
    if server.transport == "sse":
        return sse_client(server.url, headers=dict(server.headers), timeout=timeout)
    http = await stack.enter_async_context(
        create_mcp_http_client(headers=dict(server.headers), timeout=httpx2.Timeout(timeout))
    )

    async def note_status(response: httpx2.Response) -> None:
        if response.status_code >= 400:
            refused.append(response.status_code)

    http.event_hooks["response"].append(note_status)
    return streamable_http_client(server.url, http_client=http)


def _first_leaf(group: BaseExceptionGroup[Any]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]


def _failed(started: float, error: str, refused: list[int]) -> McpServerTest:
    if refused:
        error = f"{error} (the server answered HTTP {refused[0]})"
    return McpServerTest(ok=False, error=error, duration_ms=_elapsed_ms(started))


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
