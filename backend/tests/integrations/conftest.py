"""The test MCP server running over streamable HTTP on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integrations.helpers import SERVER_SCRIPT, TOKEN
from tests.storage.helpers import free_port


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The test MCP server over streamable HTTP on loopback, requiring the bearer token."""
    port, mark = free_port(), tmp_path / "http-mark.txt"
    process = subprocess.Popen(
        [sys.executable, str(SERVER_SCRIPT), "http", str(port), TOKEN, str(mark)],
        env={"PATH": os.environ["PATH"]},
    )
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(url, timeout=1)  # any answer (401 without the token) means it is up
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the MCP server did not start"
                time.sleep(0.2)
        yield url, mark
    finally:
        # Not a graceful stop: uvicorn would wait for the warm agent's open MCP session to end.
        process.kill()
        process.wait(10)
