"""Fixtures for the agent runtime tests: one scripted model and one warm runtime per module."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from aigc.agent import AgentRuntime, RuntimeConfig, TurnRequest
from aigc.agent.events import AgentEvent
from aigc.mock_model.testing import MockModelServer

MODEL = "claude-sonnet-4-5"
# One retry, so a single broken stream is replayed and a fault armed twice ends the turn.
MAX_RETRIES = 1
ATTEMPTS = MAX_RETRIES + 1


@dataclass
class Turn:
    """Everything one run_turn yielded, with the time it took."""

    events: list[AgentEvent] = field(default_factory=list)
    seconds: float = 0.0

    def of(self, kind: str) -> list[dict[str, Any]]:
        """The events of one type, as dicts."""
        return [e.to_dict() for e in self.events if e.type == kind]

    @property
    def types(self) -> list[str]:
        return [e.type for e in self.events]

    @property
    def text(self) -> str:
        """The text a UI would show: deltas, with each reset replacing what came before."""
        shown = ""
        for e in self.events:
            if e.type == "text_delta":
                shown += e.to_dict()["text"]
            elif e.type == "text_reset":
                shown = e.to_dict()["text"]
        return shown

    @property
    def status(self) -> str:
        assert self.events and self.events[-1].type == "done", self.types
        return str(self.events[-1].to_dict()["status"])

    @property
    def error_kind(self) -> str | None:
        errors = self.of("error")
        return str(errors[0]["kind"]) if errors else None


async def run(runtime: AgentRuntime, req: TurnRequest) -> Turn:
    """Run a turn to its end."""
    turn = Turn()
    started = time.monotonic()
    async for event in runtime.run_turn(req):
        turn.events.append(event)
    turn.seconds = time.monotonic() - started
    return turn


def request_text(body: dict[str, Any]) -> str:
    """Every text of a recorded Messages request body (system, messages, tool results) in one string."""
    import json

    return json.dumps(body, ensure_ascii=False)


@pytest.fixture(scope="module")
def model() -> Iterator[MockModelServer]:
    """The scripted model; stalls last 30 s at most so a stalled stream cannot outlive the module."""
    with MockModelServer(stall_seconds=30) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_model(request: pytest.FixtureRequest) -> None:
    """No script, no armed fault and an empty request log at the start of every test that uses the model."""
    if "model" in request.fixturenames:
        request.getfixturevalue("model").reset()


@pytest.fixture(scope="module")
def agent_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("agent")


@pytest.fixture(scope="module")
def config(agent_root: Path, model: MockModelServer) -> RuntimeConfig:
    """Small timeouts: a stalled stream is given up after 2 s."""
    return RuntimeConfig(
        data_dir=agent_root / "data",
        api_key="sk-test-not-a-real-key",
        base_url=model.url,
        max_concurrent_runs=4,
        turn_timeout=20,
        stall_timeout=2.0,
        idle_release=300,
        interrupt_grace=1.0,
        max_retries=MAX_RETRIES,
        request_timeout_ms=3000,
        default_max_turns=8,
        sandbox_deny_read=(agent_root / "work",),
    )


@pytest.fixture(scope="module")
async def runtime(config: RuntimeConfig) -> AsyncIterator[AgentRuntime]:
    """A runtime shared by the tests of a module, so warm agents are reused across tests."""
    rt = AgentRuntime(config)
    yield rt
    await rt.shutdown()


@pytest.fixture
def make_request(agent_root: Path) -> Any:
    """Build a TurnRequest for a named session under the module's work folder."""

    def build(session: str, prompt: str, **overrides: Any) -> TurnRequest:
        cwd = agent_root / "work" / "user-1" / session
        req = TurnRequest(session_key=session, cwd=cwd, prompt=prompt, model=MODEL)
        return replace(req, **overrides)

    return build
