"""User A's real objects (a session with a turn, its artifact and an upload, feedback, a private scenario and skill)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from aigc.mock_model.testing import MockModelServer
from aigc.users.models import Role
from tests.factories import (
    SignedIn,
    create_scenario_via_api,
    create_skill_via_api,
    rate,
    signed_in_user,
)
from tests.sse import of, parse

API = "/api/v1"


@dataclass
class World:
    """Everything user A owns, and two other people: B (a user) and an admin."""

    a: SignedIn
    b: SignedIn
    admin: SignedIn
    session_id: str
    user_message_id: str
    assistant_message_id: str
    artifact_id: str
    file_id: str
    scenario_id: str
    skill_id: str
    mcp_server_id: str

    @property
    def ids(self) -> dict[str, str]:
        """A's id for each path parameter name a route can take."""
        return {
            "session_id": self.session_id,
            "message_id": self.assistant_message_id,
            "artifact_id": self.artifact_id,
            "file_id": self.file_id,
            "scenario_id": self.scenario_id,
            "skill_id": self.skill_id,
            "user_id": str(self.a.user.id),
            "mcp_server_id": self.mcp_server_id,
        }


async def run_turn(client: httpx.AsyncClient, user: SignedIn, session_id: str, content: str) -> list:
    """Send a message and read the whole SSE stream."""
    response = await client.post(
        f"{API}/sessions/{session_id}/messages", json={"content": content}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return parse(response.text)


async def build_world(client: httpx.AsyncClient) -> World:
    a = await signed_in_user(client)
    b = await signed_in_user(client)
    admin = await signed_in_user(client, role=Role.admin)
    scenario = await create_scenario_via_api(client, a, name="A's private scenario")
    skill = await create_skill_via_api(client, a, "a-private-skill")
    created = await client.post(f"{API}/sessions", json={}, headers=a.headers)
    assert created.status_code == 201, created.text
    session_id = created.json()["id"]
    # The scripted model's start-up rules answer "write a report" with a Write tool call: a real artifact.
    events = await run_turn(client, a, session_id, "Please write a report about access control")
    assert events[-1].data["status"] == "ok", events
    (artifact,) = of(events, "artifact")
    accepted = events[0].data
    await rate(client, a, accepted["assistant_message_id"], "up", comment="mine")
    # An upload no message has sent yet: the kind its owner may still delete.
    uploaded = await client.post(
        f"{API}/sessions/{session_id}/files",
        files=[("files", ("a-private.csv", b"secret,1\n", "text/csv"))],
        headers=a.headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    server = await client.post(
        f"{API}/mcp-servers",
        json={"name": "world-tools", "transport": "stdio", "command": "true", "env": {"TOKEN": "secret"}},
        headers=admin.headers,
    )
    assert server.status_code == 201, server.text
    return World(
        a=a,
        b=b,
        admin=admin,
        session_id=session_id,
        user_message_id=accepted["user_message_id"],
        assistant_message_id=accepted["assistant_message_id"],
        artifact_id=artifact["id"],
        file_id=uploaded.json()["items"][0]["id"],
        scenario_id=scenario["id"],
        skill_id=skill["id"],
        mcp_server_id=server.json()["id"],
    )


@pytest.fixture
async def world(client: httpx.AsyncClient, model: MockModelServer) -> World:
    return await build_world(client)
