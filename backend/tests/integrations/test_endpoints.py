"""The MCP server API: admins only for changes, secrets never shown in full, clear 4xx for bad input."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from aigc.core.config import reset_settings_cache
from aigc.core.db import session_scope
from aigc.integrations import service as mcp_service
from aigc.users.models import Role
from tests.factories import SignedIn, create_scenario_via_api, signed_in_user
from tests.integrations.helpers import TOKEN, stdio_fields

API = "/api/v1/mcp-servers"
LONG_SECRET = "ghp_0123456789abcdefSECRET"


async def create(client: httpx.AsyncClient, admin: SignedIn, **fields: object) -> httpx.Response:
    body = {"name": "tracker", "transport": "stdio", "command": "/usr/bin/tracker-mcp", **fields}
    return await client.post(API, json=body, headers=admin.headers)


class TestCreate:
    async def test_anonymous_and_users_may_not(self, client: httpx.AsyncClient) -> None:
        assert (await client.post(API, json={})).status_code == 401
        user = await signed_in_user(client)
        response = await create(client, user)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"

    async def test_a_stdio_server_with_its_env_masked(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await create(
            client, admin, args=["--verbose"], env={"TOKEN": LONG_SECRET, "MODE": "ro"}, description="Issues"
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["env"] == {"TOKEN": "****CRET", "MODE": "****"}
        assert body["command"] == "/usr/bin/tracker-mcp" and body["args"] == ["--verbose"]
        assert LONG_SECRET not in response.text
        for listed in [
            (await client.get(API, headers=admin.headers)).text,
            (await client.get(f"{API}/{body['id']}", headers=admin.headers)).text,
        ]:
            assert LONG_SECRET not in listed and "****CRET" in listed

    async def test_an_http_server_with_its_headers_masked(
        self, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("MCP_ALLOW_PRIVATE_NETWORKS", "true")
        reset_settings_cache()
        admin = await signed_in_user(client, role=Role.admin)
        response = await create(
            client,
            admin,
            transport="http",
            command=None,
            url="http://127.0.0.1:9/mcp",
            headers={"Authorization": f"Bearer {LONG_SECRET}"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["headers"] == {"Authorization": "****CRET"}
        assert LONG_SECRET not in response.text

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"name": "a__b"}, "name"),
            ({"name": "Has Space"}, "name"),
            ({"transport": "ftp"}, "transport"),
            ({"command": None}, "A stdio server needs a command"),
            ({"url": "https://example.com/mcp"}, "url and headers are for http/sse"),
            ({"transport": "http", "command": None}, "An http server needs a url"),
            ({"transport": "sse", "url": "https://example.com/sse"}, "command, args and env are for stdio"),
            ({"transport": "http", "command": None, "url": "ftp://example.com"}, "http:// or https://"),
            ({"transport": "http", "command": None, "url": "https://u:p@example.com/"}, "not in the URL"),
            ({"env": {"BAD NAME": "x"}}, "not a valid variable name"),
            ({"env": {"TOKEN": "two\nlines"}}, "one line"),
            ({"unknown": 1}, "unknown"),
        ],
    )
    async def test_bad_input_is_a_clear_422(
        self, client: httpx.AsyncClient, fields: dict[str, object], message: str
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await create(client, admin, **fields)
        assert response.status_code == 422, response.text
        assert message in response.text

    @pytest.mark.parametrize(
        "url",
        [
            "http://127.0.0.1:8000/mcp",
            "http://localhost/mcp",
            "http://10.1.2.3/mcp",
            "http://169.254.169.254/",
            "http://[::1]:9000/mcp",
            "http://[::ffff:192.168.0.1]/mcp",
        ],
    )
    async def test_private_addresses_are_refused_unless_allowed(
        self, client: httpx.AsyncClient, url: str
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await create(client, admin, transport="http", command=None, url=url)
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "mcp_server_url_refused"
        assert "MCP_ALLOW_PRIVATE_NETWORKS" in response.json()["message"]

    async def test_names_are_unique(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        assert (await create(client, admin)).status_code == 201
        again = await create(client, admin)
        assert again.status_code == 409 and again.json()["code"] == "mcp_server_name_taken"


class TestUpdate:
    async def test_a_masked_value_sent_back_keeps_the_secret(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        created = (await create(client, admin, env={"TOKEN": LONG_SECRET, "OTHER": "old"})).json()
        shown = created["env"]
        response = await client.patch(
            f"{API}/{created['id']}",
            json={"env": {"TOKEN": shown["TOKEN"], "OTHER": "new-value"}, "description": "changed"},
            headers=admin.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["description"] == "changed"
        async with session_scope(write=False) as session:
            stored = await mcp_service.get_server(session, uuid.UUID(created["id"]))
        assert stored.env == {"TOKEN": LONG_SECRET, "OTHER": "new-value"}

    async def test_a_change_that_breaks_the_transport_rules_is_refused(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        created = (await create(client, admin)).json()
        response = await client.patch(
            f"{API}/{created['id']}", json={"transport": "sse"}, headers=admin.headers
        )
        assert response.status_code == 422 and "needs a url" in response.json()["message"]
        response = await client.patch(f"{API}/{created['id']}", json={"args": None}, headers=admin.headers)
        assert response.status_code == 422 and "cannot be null" in response.text
        user = await signed_in_user(client)
        response = await client.patch(
            f"{API}/{created['id']}", json={"description": "x"}, headers=user.headers
        )
        assert response.status_code == 403

    async def test_unknown_server_is_404(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await client.patch(
            f"{API}/{uuid.uuid4()}", json={"description": "x"}, headers=admin.headers
        )
        assert response.status_code == 404


class TestScenarioLinks:
    async def test_users_see_and_attach_only_what_an_admin_made_available(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        open_one = (
            await create(client, admin, name="open", available_to_users=True, env={"K": LONG_SECRET})
        ).json()
        closed = (await create(client, admin, name="closed")).json()
        user = await signed_in_user(client)

        listed = (await client.get(API, headers=user.headers)).json()
        assert [s["name"] for s in listed["items"]] == ["open"] and listed["count"] == 1
        # Users learn what a server is for, not how to reach it.
        assert listed["items"][0]["env"] == {} and listed["items"][0]["command"] is None

        refused = await client.post(
            "/api/v1/scenarios",
            json={"name": "Mine", "mcp_servers": [{"server_id": closed["id"]}]},
            headers=user.headers,
        )
        assert refused.status_code == 422 and refused.json()["code"] == "unknown_mcp_server"
        scenario = await create_scenario_via_api(
            client, user, mcp_servers=[{"server_id": open_one["id"], "tools": ["echo", "echo"]}]
        )
        assert scenario["mcp_servers"] == [{"server_id": open_one["id"], "tools": ["echo"]}]

        bad_tool = await client.patch(
            f"/api/v1/scenarios/{scenario['id']}",
            json={"mcp_servers": [{"server_id": open_one["id"], "tools": ["no spaces"]}]},
            headers=user.headers,
        )
        assert bad_tool.status_code == 422 and "not a tool name" in bad_tool.text
        cleared = await client.patch(
            f"/api/v1/scenarios/{scenario['id']}", json={"mcp_servers": []}, headers=user.headers
        )
        assert cleared.status_code == 200 and cleared.json()["mcp_servers"] == []

    async def test_deleting_a_server_removes_it_from_scenarios(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        server = (await create(client, admin)).json()
        scenario = await create_scenario_via_api(client, admin, mcp_servers=[{"server_id": server["id"]}])
        assert (await client.delete(f"{API}/{server['id']}", headers=admin.headers)).status_code == 204
        again = await client.get(f"/api/v1/scenarios/{scenario['id']}", headers=admin.headers)
        assert again.json()["mcp_servers"] == []
        assert (await client.get(f"{API}/{server['id']}", headers=admin.headers)).status_code == 404


async def test_the_mcp_settings_reload_without_a_restart(
    client: httpx.AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = await signed_in_user(client, role=Role.admin)
    runtime = app.state.turns.runtime
    loopback = {"transport": "http", "command": None, "url": "http://127.0.0.1:9/mcp"}
    assert (await create(client, admin, **loopback)).status_code == 422
    monkeypatch.setenv("MCP_ALLOW_PRIVATE_NETWORKS", "true")
    monkeypatch.setenv("MCP_TOOL_TIMEOUT_SECONDS", "5")
    try:
        reloaded = await client.post("/api/v1/platform/reload-config", headers=admin.headers)
        assert reloaded.status_code == 200, reloaded.text
        assert reloaded.json()["changed"]["mcp_allow_private_networks"] == [False, True]
        assert runtime.config.mcp_tool_timeout == 5.0
        assert (await create(client, admin, **loopback)).status_code == 201
    finally:
        monkeypatch.undo()
        await client.post("/api/v1/platform/reload-config", headers=admin.headers)
    assert runtime.config.mcp_tool_timeout == 60.0


class TestConnectionTest:
    async def test_a_stdio_server_lists_its_tools(self, client: httpx.AsyncClient, tmp_path: Path) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        server = (await client.post(API, json=stdio_fields(tmp_path / "m"), headers=admin.headers)).json()
        response = await client.post(f"{API}/{server['id']}/test", headers=admin.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["ok"] and body["error"] is None
        assert {tool["name"] for tool in body["tools"]} == {"echo", "fail", "slow"}
        assert "Echo the text back" in {t["name"]: t["description"] for t in body["tools"]}["echo"]

    async def test_a_server_that_does_not_start_is_a_result_with_the_reason(
        self, client: httpx.AsyncClient, tmp_path: Path
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        fields = stdio_fields(tmp_path / "m", env={"MCP_TOKEN": "wrong"})
        server = (await client.post(API, json=fields, headers=admin.headers)).json()
        body = (await client.post(f"{API}/{server['id']}/test", headers=admin.headers)).json()
        assert body["ok"] is False and body["error"] and body["tools"] == []
        missing = (await create(client, admin, name="missing", command="/nonexistent/mcp-server")).json()
        body = (await client.post(f"{API}/{missing['id']}/test", headers=admin.headers)).json()
        assert body["ok"] is False and "nonexistent" in body["error"]

    async def test_an_http_server_with_and_without_its_token(
        self,
        client: httpx.AsyncClient,
        http_server: tuple[str, Path],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        url, _ = http_server
        admin = await signed_in_user(client, role=Role.admin)
        fields = {"transport": "http", "command": None, "url": url}
        monkeypatch.setenv("MCP_ALLOW_PRIVATE_NETWORKS", "true")
        reset_settings_cache()
        good = await create(
            client, admin, name="good", headers={"Authorization": f"Bearer {TOKEN}"}, **fields
        )
        bad = await create(client, admin, name="bad", headers={"Authorization": "Bearer nope"}, **fields)
        body = (await client.post(f"{API}/{good.json()['id']}/test", headers=admin.headers)).json()
        assert body["ok"], body
        assert {tool["name"] for tool in body["tools"]} == {"echo", "fail", "slow"}
        body = (await client.post(f"{API}/{bad.json()['id']}/test", headers=admin.headers)).json()
        assert body["ok"] is False and "401" in body["error"]
        assert TOKEN not in str(body)
        # Private networks refused again: the test does not connect at all.
        monkeypatch.setenv("MCP_ALLOW_PRIVATE_NETWORKS", "false")
        reset_settings_cache()
        body = (await client.post(f"{API}/{good.json()['id']}/test", headers=admin.headers)).json()
        assert body["ok"] is False and "MCP_ALLOW_PRIVATE_NETWORKS" in body["error"]

    async def test_only_admins_and_only_known_servers(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        user = await signed_in_user(client)
        server = (await create(client, admin)).json()
        assert (await client.post(f"{API}/{server['id']}/test", headers=user.headers)).status_code == 403
        assert (await client.post(f"{API}/{uuid.uuid4()}/test", headers=admin.headers)).status_code == 404
