"""MCP servers in a turn: a real MCP server (stdio, started by the CLI) called through the real SDK."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from aigc.agent import AgentRuntime, McpServerSpec
from aigc.mock_model.testing import MockModelServer
from tests.agent.conftest import run
from tests.storage.helpers import free_port

SERVER_SCRIPT = Path(__file__).parents[1] / "integrations" / "mcp_test_server.py"
TOKEN = "stdio-secret-token-0123456789"


def stdio_server(mark: Path, name: str = "probe", tools: tuple[str, ...] = ()) -> McpServerSpec:
    config = {
        "type": "stdio",
        "command": sys.executable,
        "args": [str(SERVER_SCRIPT), "stdio", TOKEN],
        "env": {"MCP_TOKEN": TOKEN, "MARK_FILE": str(mark)},
    }
    return McpServerSpec(name=name, config=config, tools=tools)


def calling(*calls: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """A script: the model calls each tool in turn, then says what the last one answered."""
    steps: list[Any] = [{"tool_uses": [{"name": name, "input": args}]} for name, args in calls]
    return [{"user": "use the tool", "steps": [*steps, "Result: {{tool_result}}"]}]


async def test_a_stdio_server_tool_runs_and_shows_as_a_tool_call(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, tmp_path: Path
) -> None:
    mark = tmp_path / "mark.txt"
    model.set_script(calling(("mcp__probe__echo", {"text": "hello"})))
    turn = await run(runtime, make_request("mcp-1", "use the tool", mcp_servers=[stdio_server(mark)]))
    assert turn.status == "ok", turn.events
    assert mark.read_text() == "hello\n"  # the server's own side effect: the call reached it
    (started,) = turn.of("tool_started")
    assert started["name"] == "mcp__probe__echo" and started["input_summary"] == "text=hello"
    (finished,) = turn.of("tool_finished")
    assert not finished["is_error"] and "echo:hello" in finished["result_summary"]
    assert "echo:hello" in turn.text
    # The model was offered the server's tools under the CLI's names.
    offered = {tool["name"] for tool in model.requests()[0].get("tools", [])}
    assert {"mcp__probe__echo", "mcp__probe__fail"} <= offered


async def test_a_tool_the_scenario_does_not_list_is_denied_by_the_hook(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, tmp_path: Path
) -> None:
    mark = tmp_path / "mark.txt"
    model.set_script(calling(("mcp__probe__echo", {"text": "sneaky"})))
    server = stdio_server(mark, tools=("fail",))
    turn = await run(runtime, make_request("mcp-2", "use the tool", mcp_servers=[server]))
    assert turn.status == "ok"
    (denied,) = turn.of("permission_denied")
    assert denied["tool_name"] == "mcp__probe__echo" and "not available in this scenario" in denied["reason"]
    assert not mark.exists()  # never reached the server


async def test_without_the_server_its_tools_do_not_exist(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, tmp_path: Path
) -> None:
    model.set_script(calling(("mcp__probe__echo", {"text": "hello"})))
    turn = await run(runtime, make_request("mcp-3", "use the tool"))
    assert turn.status == "ok"
    (finished,) = turn.of("tool_finished")
    assert finished["is_error"] and "No such tool available: mcp__probe__echo" in finished["result_summary"]
    assert not any("mcp__" in tool["name"] for tool in model.requests()[0].get("tools", []))


async def test_a_failing_tool_ends_that_call_with_an_error_and_the_turn_goes_on(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, tmp_path: Path
) -> None:
    mark = tmp_path / "mark.txt"
    model.set_script(
        calling(("mcp__probe__fail", {"reason": "disk on fire"}), ("mcp__probe__echo", {"text": "after"}))
    )
    turn = await run(runtime, make_request("mcp-4", "use the tool", mcp_servers=[stdio_server(mark)]))
    assert turn.status == "ok"
    failed, echoed = turn.of("tool_finished")
    assert failed["is_error"] and "disk on fire" in failed["result_summary"]
    assert not echoed["is_error"] and mark.read_text() == "after\n"


async def test_a_slow_tool_ends_at_the_tool_timeout(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, tmp_path: Path
) -> None:
    before = runtime.config.mcp_tool_timeout
    runtime.reconfigure(mcp_tool_timeout=2.0)
    try:
        model.set_script(calling(("mcp__probe__slow", {"seconds": 30})))
        server = stdio_server(tmp_path / "mark.txt")
        turn = await run(runtime, make_request("mcp-5", "use the tool", mcp_servers=[server]))
    finally:
        runtime.reconfigure(mcp_tool_timeout=before)
    assert turn.status == "ok"
    (finished,) = turn.of("tool_finished")
    assert finished["is_error"] and "timed out after 2s" in finished["result_summary"]
    assert turn.seconds < 20


async def test_the_servers_secrets_are_not_on_the_cli_command_line_nor_left_on_disk(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any, tmp_path: Path
) -> None:
    model.set_script([{"user": "hello", "steps": ["Hi."]}])
    turn = await run(runtime, make_request("mcp-6", "hello", mcp_servers=[stdio_server(tmp_path / "m")]))
    assert turn.status == "ok"
    pid = runtime.cli_pids()["mcp-6"]
    command_line = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    assert "--mcp-config" in command_line and TOKEN not in command_line
    assert "--strict-mcp-config" in command_line
    # The config file the CLI read at start is gone; the CLI's own environment holds no server secret.
    assert not list(runtime.processes.root.glob("mcp-*.json"))
    assert TOKEN not in Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")


async def test_a_server_that_is_down_is_left_out_and_the_turn_goes_on(
    runtime: AgentRuntime, model: MockModelServer, make_request: Any
) -> None:
    down = McpServerSpec(name="down", config={"type": "http", "url": f"http://127.0.0.1:{free_port()}/mcp"})
    model.set_script(calling(("mcp__down__echo", {"text": "anyone?"})))
    turn = await run(runtime, make_request("mcp-7", "use the tool", mcp_servers=[down]))
    assert turn.status == "ok", turn.events
    (finished,) = turn.of("tool_finished")
    assert finished["is_error"] and "No such tool available" in finished["result_summary"]
