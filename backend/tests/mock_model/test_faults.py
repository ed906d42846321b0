"""Faults armed through the control API or named by a marker in the user's text."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from aigc.mock_model import MockModelServer
from aigc.mock_model.faults import Fault, parse_markers, strip_markers

from .helpers import body, parse_sse, user

STATUS_CASES = [
    ("500", 500, "api_error"),
    ("529", 529, "overloaded_error"),
    ("401", 401, "authentication_error"),
    ("429", 429, "rate_limit_error"),
]


async def read_stream(
    client: httpx.AsyncClient, request: dict, timeout: float = 10
) -> tuple[str, Exception | None]:
    """The raw SSE text received, and the error that ended the stream early if any."""
    received = ""
    try:
        async with client.stream("POST", "/v1/messages", json=request, timeout=timeout) as response:
            async for text in response.aiter_text():
                received += text
    except (httpx.RemoteProtocolError, httpx.ReadTimeout) as exc:
        return received, exc
    return received, None


def test_markers_parse_kinds_and_seconds() -> None:
    text = "go [[fault:delay:1.5]] now [[FAULT:cut]] [[fault:bogus]]"
    assert parse_markers(text) == [Fault("delay", 1.5), Fault("cut")]
    assert strip_markers(text) == "go  now"


@pytest.mark.parametrize(("kind", "status", "error_type"), STATUS_CASES)
async def test_armed_status_fault_for_count_requests(
    client: httpx.AsyncClient, kind: str, status: int, error_type: str
) -> None:
    armed = await client.post("/_mock/faults", json={"kind": kind, "count": 2})
    assert armed.json()["armed"] == [{"kind": kind, "seconds": None, "count": 2}]

    for _ in range(2):
        failed = await client.post("/v1/messages", json=body(user("hi"), stream=True))
        assert failed.status_code == status
        assert failed.json()["type"] == "error"
        assert failed.json()["error"]["type"] == error_type
    assert (await client.post("/v1/messages", json=body(user("hi")))).status_code == 200


@pytest.mark.parametrize(("kind", "status", "error_type"), STATUS_CASES[:3])
async def test_marker_fault_hits_every_request_of_the_conversation(
    client: httpx.AsyncClient, kind: str, status: int, error_type: str
) -> None:
    request = body(user(f"please fail [[fault:{kind}]]"))
    for _ in range(3):  # the CLI's retries resend the same conversation
        failed = await client.post("/v1/messages", json=request)
        assert (failed.status_code, failed.json()["error"]["type"]) == (status, error_type)
    assert (await client.post("/v1/messages", json=body(user("fine now")))).status_code == 200


async def test_armed_faults_are_used_in_order(client: httpx.AsyncClient, model: MockModelServer) -> None:
    model.arm_fault("500")
    model.arm_fault("401")
    statuses = [(await client.post("/v1/messages", json=body(user("x")))).status_code for _ in range(3)]
    assert statuses == [500, 401, 200]


async def test_bad_fault_is_rejected(client: httpx.AsyncClient) -> None:
    assert (await client.post("/_mock/faults", json={"kind": "explode"})).status_code == 400
    assert (await client.post("/_mock/faults", json={"kind": "delay"})).status_code == 400


async def test_delay_before_first_byte(client: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await client.post("/v1/messages", json=body(user("hello [[fault:delay:0.4]]")))
    assert time.monotonic() - started >= 0.4
    assert response.status_code == 200
    assert "[[fault" not in response.json()["content"][0]["text"]


async def test_cut_drops_the_stream_before_message_stop(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    model.arm_fault("cut")
    received, error = await read_stream(client, body(user("hello"), stream=True))

    assert isinstance(error, httpx.RemoteProtocolError)
    names = [name for name, _ in parse_sse(received)]
    assert names[0] == "message_start" and "content_block_delta" in names
    assert "message_stop" not in names


async def test_cut_non_streaming_sends_a_truncated_body(client: httpx.AsyncClient) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/v1/messages", json=body(user("hello [[fault:cut]]")))


async def test_stall_keeps_the_connection_silent(client: httpx.AsyncClient) -> None:
    received, error = await read_stream(client, body(user("hello [[fault:stall]]"), stream=True), timeout=0.5)

    assert isinstance(error, httpx.ReadTimeout)
    names = [name for name, _ in parse_sse(received)]
    assert "content_block_delta" in names and "message_stop" not in names


async def test_timed_stall_ends_in_a_cut(client: httpx.AsyncClient) -> None:
    started = time.monotonic()
    received, error = await read_stream(client, body(user("hello [[fault:stall:0.3]]"), stream=True))
    assert isinstance(error, httpx.RemoteProtocolError)
    assert time.monotonic() - started >= 0.3


async def test_server_stops_promptly_with_a_stalled_stream() -> None:
    async with MockModelServer() as server, httpx.AsyncClient(base_url=server.url) as http:
        server.arm_fault("stall")
        async with http.stream("POST", "/v1/messages", json=body(user("x"), stream=True)) as response:
            await anext(response.aiter_bytes())
            started = time.monotonic()
            await asyncio.to_thread(server.stop)
            assert time.monotonic() - started < 2


async def test_non_streaming_stall_sends_no_first_byte(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    model.arm_fault("stall")
    with pytest.raises(httpx.ReadTimeout):
        await client.post("/v1/messages", json=body(user("hello")), timeout=0.4)
