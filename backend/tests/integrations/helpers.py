"""The test MCP server (mcp_test_server.py): where it is, its token, its settings as a stdio server."""

from __future__ import annotations

import sys
from pathlib import Path

SERVER_SCRIPT = Path(__file__).with_name("mcp_test_server.py")
TOKEN = "mcp-test-token-0123456789abcdef"


def stdio_fields(mark: Path, **extra: object) -> dict[str, object]:
    return {
        "name": "tracker",
        "transport": "stdio",
        "command": sys.executable,
        "args": [str(SERVER_SCRIPT), "stdio", TOKEN],
        "env": {"MCP_TOKEN": TOKEN, "MARK_FILE": str(mark)},
        **extra,
    }
