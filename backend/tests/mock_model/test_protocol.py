"""The Messages wire format: streaming, non-streaming and the side endpoints."""

from __future__ import annotations

import json

import httpx

from aigc.mock_model import MockModelServer
from aigc.mock_model.app import key_fingerprint

from .helpers import body, parse_sse, user


async def test_stream_event_sequence(client: httpx.AsyncClient, model: MockModelServer) -> None:
    model.set_script(
        [{"user": "greet", "steps": ["Hello there, this reply is long enough to stream in pieces."]}]
    )
    response = await client.post("/v1/messages?beta=true", json=body(user("greet me"), stream=True))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-4:] == ["content_block_delta", "content_block_stop", "message_delta", "message_stop"]
    assert all(name == data["type"] for name, data in events)
    start = events[0][1]["message"]
    assert start["model"] == "claude-sonnet-4-5" and start["role"] == "assistant"
    assert start["usage"]["input_tokens"] > 0
    assert start["usage"]["cache_read_input_tokens"] == 0
    deltas = [d["delta"]["text"] for n, d in events if n == "content_block_delta"]
    assert len(deltas) > 3, "text must arrive in several deltas"
    assert "".join(deltas) == "Hello there, this reply is long enough to stream in pieces."
    final = events[-2][1]
    assert final["delta"]["stop_reason"] == "end_turn"
    assert final["usage"]["output_tokens"] > 0


async def test_non_streaming_message(client: httpx.AsyncClient, model: MockModelServer) -> None:
    model.set_script([{"user": "greet", "steps": ["Hi!"]}])
    response = await client.post("/v1/messages", json=body(user("greet"), model="claude-haiku-4-5"))

    assert response.status_code == 200
    message = response.json()
    assert message["type"] == "message" and message["model"] == "claude-haiku-4-5"
    assert message["content"] == [{"type": "text", "text": "Hi!"}]
    assert message["stop_reason"] == "end_turn"
    assert set(message["usage"]) >= {
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    }


async def test_streamed_tool_use_reassembles_to_input(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    content = "line\n" * 40  # long enough to need several input_json_delta pieces
    model.set_script(
        [
            {
                "user": "save",
                "steps": [
                    {
                        "text": "Saving.",
                        "tool_uses": [{"name": "Write", "input": {"file_path": "a.md", "content": content}}],
                    },
                ],
            }
        ]
    )
    response = await client.post("/v1/messages", json=body(user("save it"), stream=True))

    events = parse_sse(response.text)
    starts = [d["content_block"] for n, d in events if n == "content_block_start"]
    assert [s["type"] for s in starts] == ["text", "tool_use"]
    assert starts[1]["name"] == "Write" and starts[1]["id"].startswith("toolu_")
    pieces = [
        d["delta"]["partial_json"]
        for n, d in events
        if n == "content_block_delta" and d["delta"]["type"] == "input_json_delta"
    ]
    assert len(pieces) > 1
    assert json.loads("".join(pieces)) == {"file_path": "a.md", "content": content}
    assert events[-2][1]["delta"]["stop_reason"] == "tool_use"


async def test_input_tokens_grow_with_the_request(client: httpx.AsyncClient) -> None:
    small = (await client.post("/v1/messages", json=body(user("hi")))).json()["usage"]["input_tokens"]
    large = (await client.post("/v1/messages", json=body(user("hi " * 2000)))).json()["usage"]["input_tokens"]
    assert large > small + 1000


async def test_quota_probe_gets_a_short_reply(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/messages", json=body(user("quota"), max_tokens=1))
    assert response.json()["content"] == [{"type": "text", "text": "OK"}]


async def test_requests_are_recorded_with_keys_redacted(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    await client.post("/v1/messages", json=body(user("one"), system="SCENARIO: poster"))

    assert [b["system"] for b in model.requests()] == ["SCENARIO: poster"]
    logged = (await client.get("/_mock/requests")).json()["requests"]
    shown = logged[0]["headers"]["x-api-key"]
    assert shown == key_fingerprint("test") and "test" not in shown
    assert (await client.delete("/_mock/requests")).status_code == 204
    assert model.requests() == []


async def test_count_tokens_and_models(client: httpx.AsyncClient) -> None:
    counted = await client.post("/v1/messages/count_tokens", json={"model": "x", "messages": [user("hello")]})
    assert counted.json()["input_tokens"] > 0
    models = (await client.get("/v1/models")).json()
    assert "claude-sonnet-4-5" in [m["id"] for m in models["data"]]
    assert (await client.get("/v1/models/claude-opus-4-1")).json()["id"] == "claude-opus-4-1"


async def test_unknown_path_and_bad_body_use_error_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"]["type"] == "not_found_error"
    bad = await client.post(
        "/v1/messages", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400
    assert bad.json()["type"] == "error"
    assert bad.json()["error"]["type"] == "invalid_request_error"
    no_messages = await client.post("/v1/messages", json={"model": "x"})
    assert no_messages.status_code == 400
