"""A real MCP server for the tests, started as its own process: `python mcp_test_server.py stdio|http ...`.

Tools: `echo` (appends its text to MARK_FILE, a side effect a test can see, and answers it back), `fail`
(always raises) and `slow` (sleeps). Over stdio it refuses to start unless MCP_TOKEN holds the expected
token; over HTTP every request must carry `Authorization: Bearer <token>`: both prove the secrets arrive.
Standalone on purpose (no aigc or tests imports): the agent CLI starts it with a bare environment.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

server = MCPServer("platform-test")


@server.tool()
def echo(text: str) -> str:
    """Echo the text back (and note it in the mark file)."""
    mark = os.environ.get("MARK_FILE")
    if mark:
        with open(mark, "a", encoding="utf-8") as file:
            file.write(text + "\n")
    return f"echo:{text}"


@server.tool()
def fail(reason: str = "broken") -> str:
    """Always fails (deliberately: the message reaches the model; a crash's own text stays on the server)."""
    raise ToolError(f"the test tool failed: {reason}")


@server.tool()
async def slow(seconds: float = 30.0) -> str:
    """Sleeps, then answers."""
    await asyncio.sleep(seconds)
    return "slept"


def _bearer_only(app: Any, token: str) -> Any:
    expected = f"Bearer {token}".encode()

    async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and dict(scope["headers"]).get(b"authorization") != expected:
            await send({"type": "http.response.start", "status": 401, "headers": []})
            await send({"type": "http.response.body", "body": b"missing or wrong token"})
            return
        await app(scope, receive, send)

    return guarded


def main() -> None:
    mode = sys.argv[1]
    if mode == "stdio":
        if os.environ.get("MCP_TOKEN") != sys.argv[2]:
            sys.exit("MCP_TOKEN missing or wrong")
        server.run("stdio")
        return
    import uvicorn

    port, token, mark = int(sys.argv[2]), sys.argv[3], sys.argv[4]
    os.environ["MARK_FILE"] = mark
    app = _bearer_only(server.streamable_http_app(), token)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
