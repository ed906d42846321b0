"""Run the scripted model on a free local port for the duration of a test."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path
from typing import Any, Self

import uvicorn

from aigc.mock_model.app import MockState, create_app
from aigc.mock_model.faults import make_fault
from aigc.mock_model.scripts import Rule, Script

ScriptLike = Script | list[Rule] | list[dict[str, Any]] | dict[str, Any] | str | Path


def to_script(script: ScriptLike) -> Script:
    """Accept a Script, a list of rules, a `{"rules": ...}` dict or a JSON file path."""
    if isinstance(script, Script):
        return script
    if isinstance(script, str | Path):
        return Script.load(script)
    if isinstance(script, list):
        return Script(rules=[r if isinstance(r, Rule) else Rule.model_validate(r) for r in script])
    return Script.model_validate(script)


class MockModelServer:
    """The scripted model served by uvicorn in a background thread on 127.0.0.1.

    Use as `with MockModelServer() as model:` or `async with ...`; put `model.url` in ANTHROPIC_BASE_URL.
    """

    def __init__(
        self, script: ScriptLike | None = None, *, chunk_delay: float = 0.0, stall_seconds: float = 600.0
    ) -> None:
        self.app = create_app(
            to_script(script) if script is not None else None,
            chunk_delay=chunk_delay,
            stall_seconds=stall_seconds,
        )
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    @property
    def state(self) -> MockState:
        """The live state shared with the request handlers."""
        state: MockState = self.app.state.mock
        return state

    def start(self) -> None:
        """Bind a free port and serve until `stop()`."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            lifespan="off",
            log_level="warning",
            loop="asyncio",
            access_log=False,
            timeout_keep_alive=30,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"mock-model-{port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("mock model server did not start")
            time.sleep(0.005)
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        """Shut down at once, dropping open (for example stalled) streams."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._server.force_exit = True  # do not wait for stalled streams to finish
        self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.to_thread(self.stop)

    def request_log(self) -> list[dict[str, Any]]:
        """Every recorded request: method, path, query, headers (keys redacted), body."""
        with self.state.lock:
            return list(self.state.records)

    def requests(self) -> list[dict[str, Any]]:
        """Bodies of the recorded `/v1/messages` requests, oldest first."""
        return [r["body"] for r in self.request_log() if r["path"] == "/v1/messages"]

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self.state.lock:
            self.state.records.clear()

    def set_script(self, script: ScriptLike) -> None:
        """Replace the rules in force."""
        self.state.script = to_script(script)

    def arm_fault(self, kind: str, count: int = 1, seconds: float | None = None) -> None:
        """Apply a fault (500, 529, 429, 401, delay, stall, cut) to the next `count` requests."""
        self.state.faults.arm(make_fault(kind, seconds), count)

    def reset(self) -> None:
        """Start-up script, no faults, empty request log."""
        self.state.reset()
