"""A turn's MCP servers cross the task queue with its plan (workers run the turn) and reach the agent."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from aigc.agent import AgentRuntime, McpServerSpec, RuntimeConfig
from aigc.sessions.turns import TurnExecutor, TurnPlan


def test_a_plan_with_mcp_servers_crosses_the_queue_as_json_and_becomes_the_agents_servers(
    tmp_path: Path,
) -> None:
    servers = [
        {
            "name": "tracker",
            "config": {"type": "http", "url": "https://x/mcp", "headers": {"A": "b"}},
            "tools": [],
        },
        {
            "name": "files",
            "config": {"type": "stdio", "command": "f", "args": [], "env": {}},
            "tools": ["find"],
        },
    ]
    plan = TurnPlan(
        session_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        scenario_id=None,
        prompt="hi",
        cwd=tmp_path / "work" / "s",
        model="m",
        system_prompt="",
        tools=["Read"],
        skills=[],
        max_turns=3,
        max_budget_usd=None,
        resume=None,
        mcp_servers=servers,
    )
    received = TurnPlan.from_payload(json.loads(json.dumps(plan.to_payload())))
    assert received == plan

    executor = TurnExecutor(AgentRuntime(RuntimeConfig(data_dir=tmp_path / "data")), storage=None)  # type: ignore[arg-type]
    request = executor._request(received)
    assert request.mcp_servers == [
        McpServerSpec(name="tracker", config=servers[0]["config"], tools=()),
        McpServerSpec(name="files", config=servers[1]["config"], tools=("find",)),
    ]
    assert request.mcp_rules() == ["mcp__tracker", "mcp__files__find"]
