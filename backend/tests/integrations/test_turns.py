"""MCP tools in chats through the whole platform: API, turn, real SDK, scripted model, a real MCP server."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from aigc.core.config import reset_settings_cache
from aigc.mock_model.testing import MockModelServer
from aigc.users.models import Role
from tests.factories import SignedIn, create_scenario_via_api, signed_in_user
from tests.integrations.helpers import TOKEN, stdio_fields
from tests.sse import of, parse


def calling(tool: str, text: str) -> list[dict[str, Any]]:
    return [
        {
            "user": "use the tool",
            "steps": [{"tool_uses": [{"name": tool, "input": {"text": text}}]}, "Result: {{tool_result}}"],
        }
    ]


async def register(client: httpx.AsyncClient, admin: SignedIn, **fields: object) -> dict[str, Any]:
    response = await client.post("/api/v1/mcp-servers", json=fields, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def chat(client: httpx.AsyncClient, user: SignedIn, scenario_id: str, text: str) -> tuple[str, list]:
    created = await client.post("/api/v1/sessions", json={"scenario_id": scenario_id}, headers=user.headers)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    response = await client.post(
        f"/api/v1/sessions/{session_id}/messages", json={"content": text}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    events = parse(response.text)
    assert events[-1].data["status"] == "ok", events
    return session_id, events


async def saved_reply(client: httpx.AsyncClient, user: SignedIn, session_id: str) -> dict[str, Any]:
    detail = (await client.get(f"/api/v1/sessions/{session_id}", headers=user.headers)).json()
    return detail["messages"][-1]


async def test_a_scenarios_stdio_server_tool_runs_in_the_chat(
    client: httpx.AsyncClient, model: MockModelServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the default LOG_LEVEL; at DEBUG the database driver logs SQL parameters
    admin = await signed_in_user(client, role=Role.admin)
    mark = tmp_path / "mark.txt"
    server = await register(client, admin, **stdio_fields(mark, available_to_users=True))
    user = await signed_in_user(client)
    scenario = await create_scenario_via_api(client, user, mcp_servers=[{"server_id": server["id"]}])
    model.set_script(calling("mcp__tracker__echo", "from the chat"))

    session_id, events = await chat(client, user, scenario["id"], "Please use the tool")
    assert mark.read_text() == "from the chat\n"
    (started,) = of(events, "tool_started")
    assert started["name"] == "mcp__tracker__echo" and started["input_summary"] == "text=from the chat"
    (finished,) = of(events, "tool_finished")
    assert not finished["is_error"] and "echo:from the chat" in finished["result_summary"]
    reply = await saved_reply(client, user, session_id)
    (call,) = reply["tool_calls"]
    assert call["name"] == "mcp__tracker__echo" and "echo:from the chat" in call["result_summary"]
    # The server's secret went to the server only: not to the model, not into the saved reply.
    assert TOKEN not in str(model.requests()) and TOKEN not in str(reply)
    assert TOKEN not in caplog.text and TOKEN not in str(events)


async def test_a_scenario_without_the_server_cannot_call_it(
    client: httpx.AsyncClient, model: MockModelServer, tmp_path: Path
) -> None:
    admin = await signed_in_user(client, role=Role.admin)
    mark = tmp_path / "mark.txt"
    await register(client, admin, **stdio_fields(mark, available_to_users=True))
    user = await signed_in_user(client)
    scenario = await create_scenario_via_api(client, user)
    model.set_script(calling("mcp__tracker__echo", "not mine"))

    _, events = await chat(client, user, scenario["id"], "Please use the tool")
    (finished,) = of(events, "tool_finished")
    assert finished["is_error"] and "No such tool available" in finished["result_summary"]
    assert not mark.exists()


async def test_a_tool_the_scenario_does_not_allow_is_denied(
    client: httpx.AsyncClient, model: MockModelServer, tmp_path: Path
) -> None:
    admin = await signed_in_user(client, role=Role.admin)
    mark = tmp_path / "mark.txt"
    server = await register(client, admin, **stdio_fields(mark))
    scenario = await create_scenario_via_api(
        client, admin, mcp_servers=[{"server_id": server["id"], "tools": ["fail"]}]
    )
    model.set_script(calling("mcp__tracker__echo", "sneaky"))

    session_id, events = await chat(client, admin, scenario["id"], "Please use the tool")
    (denied,) = of(events, "permission_denied")
    assert denied["tool_name"] == "mcp__tracker__echo"
    reply = await saved_reply(client, admin, session_id)
    assert reply["permission_denials"][0]["tool_name"] == "mcp__tracker__echo"
    assert not mark.exists()


async def test_a_server_taken_back_from_users_leaves_their_scenarios(
    client: httpx.AsyncClient, model: MockModelServer, tmp_path: Path
) -> None:
    admin = await signed_in_user(client, role=Role.admin)
    mark = tmp_path / "mark.txt"
    server = await register(client, admin, **stdio_fields(mark, available_to_users=True))
    user = await signed_in_user(client)
    scenario = await create_scenario_via_api(client, user, mcp_servers=[{"server_id": server["id"]}])
    changed = await client.patch(
        f"/api/v1/mcp-servers/{server['id']}", json={"available_to_users": False}, headers=admin.headers
    )
    assert changed.status_code == 200
    model.set_script(calling("mcp__tracker__echo", "revoked"))

    _, events = await chat(client, user, scenario["id"], "Please use the tool")
    (finished,) = of(events, "tool_finished")
    assert finished["is_error"] and not mark.exists()


async def test_an_http_server_on_loopback_when_an_admin_allows_private_networks(
    client: httpx.AsyncClient,
    model: MockModelServer,
    http_server: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, mark = http_server
    monkeypatch.setenv("MCP_ALLOW_PRIVATE_NETWORKS", "true")
    reset_settings_cache()
    admin = await signed_in_user(client, role=Role.admin)
    server = await register(
        client, admin, name="remote", transport="http", url=url, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert TOKEN not in str(server)
    scenario = await create_scenario_via_api(client, admin, mcp_servers=[{"server_id": server["id"]}])
    model.set_script(calling("mcp__remote__echo", "over http"))

    _, events = await chat(client, admin, scenario["id"], "Please use the tool")
    (finished,) = of(events, "tool_finished")
    assert not finished["is_error"] and "echo:over http" in finished["result_summary"]
    assert mark.read_text() == "over http\n"

    # Taken back: a server saved while allowed is left out of turns once private networks are refused.
    monkeypatch.setenv("MCP_ALLOW_PRIVATE_NETWORKS", "false")
    reset_settings_cache()
    model.set_script(calling("mcp__remote__echo", "refused"))
    _, events = await chat(client, admin, scenario["id"], "Please use the tool")
    (finished,) = of(events, "tool_finished")
    assert finished["is_error"] and "No such tool available" in finished["result_summary"]
    assert mark.read_text() == "over http\n"
