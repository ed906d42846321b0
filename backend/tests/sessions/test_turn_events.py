"""The turn's events on the wire are the published contract: every event a real turn streams is a TurnEvent."""

from __future__ import annotations

import json
import typing

import httpx
from fastapi import FastAPI

from aigc.mock_model.testing import MockModelServer
from aigc.sessions.events import TURN_EVENT, AnyTurnEvent
from tests.factories import SignedIn, signed_in_user
from tests.sessions.test_turns import API, new_session, send
from tests.sse import Event, parse

# One turn that does most of what a turn can: text, a file written (an artifact), a read outside the
# session folder (refused by the platform), then text again.
SCRIPT = [
    {
        "user": "^contract$",
        "steps": [
            {
                "text": "Writing the notes, then looking outside.",
                "tool_uses": [
                    {"name": "Write", "input": {"file_path": "{{cwd}}/notes.md", "content": "# Notes"}},
                    {"name": "Read", "input": {"file_path": "/etc/hostname"}},
                ],
            },
            "Done.",
        ],
    }
]


def published_types() -> set[str]:
    """The `type` of every member of the union, read from the models themselves."""
    (union, _) = typing.get_args(AnyTurnEvent)
    return {member.model_fields["type"].default for member in typing.get_args(union)}


def parsed(events: list[Event]) -> list[str]:
    """Parse each event's data with the TypeAdapter (unknown fields refused); its `type` is the SSE name."""
    types = []
    for event in events:
        turn_event = TURN_EVENT.validate_json(json.dumps(event.data))
        assert turn_event.type == event.event, event
        types.append(turn_event.type)
    return types


async def replayed(client: httpx.AsyncClient, user: SignedIn, session_id: str) -> list[Event]:
    response = await client.get(f"{API}/{session_id}/stream", headers=user.headers)
    assert response.status_code == 200
    return parse(response.text)


async def test_every_event_of_a_turn_with_tools_parses_as_a_turn_event(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    model.set_script(SCRIPT)
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    events = await send(client, user, session_id, "contract")

    types = parsed(events)
    assert types[0] == "accepted" and types[-1] == "done" and events[-1].data["status"] == "ok"
    expected = {
        "started",
        "text_delta",
        "tool_started",
        "tool_finished",
        "permission_denied",
        "usage",
        "artifact",
    }
    assert expected <= set(types), types
    # The re-attach route streams the same events, under the same contract.
    assert parsed(await replayed(client, user, session_id)) == types


async def test_a_failed_turn_streams_a_published_error(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    model.arm_fault("500", count=2)  # one retry is configured: two failures end the turn
    events = await send(client, user, session_id, "This will fail")

    types = parsed(events)
    assert types[-2:] == ["error", "done"] and events[-1].data["status"] == "error"
    assert events[-1].data["error"] == events[-2].data["message"]


async def test_the_stream_routes_publish_the_union(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    mapping = schemas["TurnEvent"]["discriminator"]["mapping"]
    assert set(mapping) == published_types() and len(mapping) == 12
    for name, ref in mapping.items():
        member = schemas[ref.rsplit("/", 1)[1]]
        # Required, so the generated types can tell the events apart by `type`.
        assert "type" in member["required"] and member["properties"]["type"]["const"] == name
    paths = app.openapi()["paths"]
    for path, method in ((f"{API}/{{session_id}}/messages", "post"), (f"{API}/{{session_id}}/stream", "get")):
        # OpenAPI 3.2's way: each event's data is JSON that is a TurnEvent.
        data = paths[path][method]["responses"]["200"]["content"]["text/event-stream"]["itemSchema"][
            "properties"
        ]
        assert data["data"]["contentSchema"] == {"$ref": "#/components/schemas/TurnEvent"}, path
