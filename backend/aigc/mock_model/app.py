"""The ASGI app: Anthropic Messages endpoints plus the `/_mock/` control API."""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from aigc.mock_model import sse
from aigc.mock_model.faults import Fault, FaultPlan, FaultQueue, make_fault, parse_markers
from aigc.mock_model.scripts import Script, analyse, reply

MODELS = ("claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5")
# Redacted so a recorded request log can be shown or stored without leaking a key.
_SECRET_HEADERS = {"x-api-key", "authorization"}
_CUT = object()  # stream sentinel: drop the connection here


def default_script() -> Script:
    """The demo rules shipped with the package."""
    text = resources.files("aigc.mock_model").joinpath("default_script.json").read_text(encoding="utf-8")
    return Script.model_validate(json.loads(text))


@dataclass
class MockState:
    """Everything the control API can change, shared by the request handlers."""

    script: Script
    initial_script: Script
    chunk_delay: float = 0.0
    stall_seconds: float = 600.0
    faults: FaultQueue = field(default_factory=FaultQueue)
    records: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, entry: dict[str, Any]) -> None:
        """Append one request to the log."""
        with self.lock:
            self.records.append(entry)

    def reset(self) -> None:
        """Back to the start-up script, no faults, empty log."""
        with self.lock:
            self.script = self.initial_script
            self.records.clear()
        self.faults.clear()


def _error(status: int, error_type: str, message: str) -> JSONResponse:
    return JSONResponse(sse.error_body(error_type, message), status_code=status)


def _state(request: Request) -> MockState:
    state: MockState = request.app.state.mock
    return state


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise HTTPException(400, f"invalid JSON body: {exc}") from exc


class _SSEResponse(StreamingResponse):
    """A streaming response that can drop its connection mid-stream when it meets the cut sentinel."""

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async for chunk in self.body_iterator:
            if chunk is _CUT:
                return  # without the final empty body the server closes the socket: an abrupt cut
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class _TruncatedJSON(Response):
    """A JSON response that announces its full length but sends only the first half."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        await send(
            {"type": "http.response.body", "body": self.body[: len(self.body) // 2], "more_body": True}
        )


async def _stream(
    state: MockState, model: str, blocks: list[sse.Block], input_tokens: int, fault: Fault | None
) -> AsyncIterator[Any]:
    """The SSE events of one reply, with a stall or cut after the first delta when asked."""
    yield sse.message_start(sse.new_message_id(), model, input_tokens)
    yield sse.ping()
    breaking = fault if fault is not None and fault.kind in ("stall", "cut") else None
    for index, block in enumerate(blocks):
        for chunk in sse.block_events(index, block):
            yield chunk
            if not chunk.startswith(b"event: content_block_delta"):
                continue
            if breaking is not None:
                if breaking.kind == "stall":
                    # Keep the socket open and silent; Starlette cancels us when the client goes away.
                    await asyncio.sleep(
                        breaking.seconds if breaking.seconds is not None else state.stall_seconds
                    )
                yield _CUT
                return
            if state.chunk_delay:
                await asyncio.sleep(state.chunk_delay)
    for chunk in sse.message_end(blocks):
        yield chunk


async def messages(request: Request) -> Response:
    """POST /v1/messages: the scripted reply, streamed or whole, unless a fault says otherwise."""
    state = _state(request)
    body = await _json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return _error(400, "invalid_request_error", "messages: field required")
    state.record(_record_entry(request, body))
    conv = analyse(body)
    plan = FaultPlan()
    for fault in parse_markers(conv.raw_user_text):
        plan.add(fault)
    if (armed := state.faults.take()) is not None:
        plan.add(armed)
    if plan.delay:
        await asyncio.sleep(plan.delay)
    if plan.fault is not None and plan.fault.status is not None:
        return _error(*plan.fault.status)
    model = conv.model or MODELS[0]
    blocks = reply(state.script, conv)
    input_tokens = sse.estimate_tokens([body.get("system"), body.get("messages"), body.get("tools")])
    if body.get("stream"):
        headers = {"cache-control": "no-cache", "request-id": f"req_mock_{time.time_ns()}"}
        return _SSEResponse(
            _stream(state, model, blocks, input_tokens, plan.fault),
            media_type="text/event-stream",
            headers=headers,
        )
    message = sse.full_message(sse.new_message_id(), model, blocks, input_tokens)
    if plan.fault is None:
        return JSONResponse(message)
    if plan.fault.kind == "stall":
        seconds = plan.fault.seconds if plan.fault.seconds is not None else state.stall_seconds
        await _silence(request, seconds)
    return _TruncatedJSON(json.dumps(message).encode(), media_type="application/json")


async def _silence(request: Request, seconds: float) -> None:
    """Send nothing for `seconds`, returning early once the client hangs up."""
    # A plain handler is not cancelled on disconnect (only streams are), so poll for it.
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0 and not await request.is_disconnected():
        await asyncio.sleep(min(0.25, left))


def key_fingerprint(value: str) -> str:
    """What the request log shows of a key: enough for a test to tell which key was sent, not the key."""
    return f"<redacted sha256:{hashlib.sha256(value.encode()).hexdigest()[:12]}>"


def _record_entry(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    headers = {k: (key_fingerprint(v) if k in _SECRET_HEADERS else v) for k, v in request.headers.items()}
    return {
        "method": request.method,
        "path": request.url.path,
        "query": request.url.query,
        "headers": headers,
        "body": body,
        "received_at": time.time(),
    }


async def count_tokens(request: Request) -> Response:
    """POST /v1/messages/count_tokens: the same estimate the replies report."""
    body = await _json_body(request)
    if not isinstance(body, dict):
        return _error(400, "invalid_request_error", "body must be an object")
    _state(request).record(_record_entry(request, body))
    return JSONResponse(
        {"input_tokens": sse.estimate_tokens([body.get("system"), body.get("messages"), body.get("tools")])}
    )


def _model_info(model_id: str) -> dict[str, Any]:
    return {
        "type": "model",
        "id": model_id,
        "display_name": f"{model_id} (scripted)",
        "created_at": "2025-01-01T00:00:00Z",
    }


async def list_models(request: Request) -> Response:
    """GET /v1/models: a fixed list of model ids."""
    data = [_model_info(m) for m in MODELS]
    return JSONResponse({"data": data, "has_more": False, "first_id": MODELS[0], "last_id": MODELS[-1]})


async def get_model(request: Request) -> Response:
    """GET /v1/models/{id}: any id exists."""
    return JSONResponse(_model_info(request.path_params["model_id"]))


async def get_requests(request: Request) -> Response:
    """GET /_mock/requests: the recorded model requests, oldest first."""
    state = _state(request)
    with state.lock:
        return JSONResponse({"requests": list(state.records)})


async def clear_requests(request: Request) -> Response:
    """DELETE /_mock/requests: forget the recorded requests."""
    state = _state(request)
    with state.lock:
        state.records.clear()
    return Response(status_code=204)


async def get_script(request: Request) -> Response:
    """GET /_mock/script: the rules in force."""
    return JSONResponse(_state(request).script.model_dump(exclude_none=True))


async def put_script(request: Request) -> Response:
    """PUT /_mock/script: replace the rules (an object with `rules`, or a bare list)."""
    try:
        script = Script.model_validate(await _json_body(request))
    except ValidationError as exc:
        return _error(400, "invalid_request_error", str(exc))
    _state(request).script = script
    return JSONResponse({"rules": len(script.rules)})


async def post_fault(request: Request) -> Response:
    """POST /_mock/faults: arm `{"kind", "count", "seconds"}` for the next requests."""
    body = await _json_body(request)
    try:
        fault = make_fault(str(body.get("kind", "")), body.get("seconds"))
        count = int(body.get("count", 1))
    except (ValueError, TypeError, AttributeError) as exc:
        return _error(400, "invalid_request_error", str(exc))
    _state(request).faults.arm(fault, count)
    return JSONResponse({"armed": _state(request).faults.pending()})


async def get_faults(request: Request) -> Response:
    """GET /_mock/faults: the faults still armed."""
    return JSONResponse({"armed": _state(request).faults.pending()})


async def delete_faults(request: Request) -> Response:
    """DELETE /_mock/faults: disarm all faults."""
    _state(request).faults.clear()
    return Response(status_code=204)


async def post_reset(request: Request) -> Response:
    """POST /_mock/reset: start-up script, no faults, empty request log."""
    _state(request).reset()
    return Response(status_code=204)


async def health(request: Request) -> Response:
    """GET /_mock/health: liveness."""
    return JSONResponse({"status": "ok"})


_ERROR_TYPES = {400: "invalid_request_error", 404: "not_found_error", 405: "invalid_request_error"}


async def _http_error(request: Request, exc: Exception) -> Response:
    """Routing and body errors in the Anthropic error shape, so the CLI can report them."""
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.status_code == 400 else f"{exc.detail}: {request.method} {request.url.path}"
    return _error(exc.status_code, _ERROR_TYPES.get(exc.status_code, "api_error"), message)


def create_app(
    script: Script | None = None, *, chunk_delay: float = 0.0, stall_seconds: float = 600.0
) -> Starlette:
    """Build the scripted model app; without a script it uses the shipped demo rules."""
    script = script if script is not None else default_script()
    routes = [
        Route("/v1/messages", messages, methods=["POST"]),
        Route("/v1/messages/count_tokens", count_tokens, methods=["POST"]),
        Route("/v1/models", list_models, methods=["GET"]),
        Route("/v1/models/{model_id:path}", get_model, methods=["GET"]),
        Route("/_mock/requests", get_requests, methods=["GET"]),
        Route("/_mock/requests", clear_requests, methods=["DELETE"]),
        Route("/_mock/script", get_script, methods=["GET"]),
        Route("/_mock/script", put_script, methods=["PUT"]),
        Route("/_mock/faults", get_faults, methods=["GET"]),
        Route("/_mock/faults", post_fault, methods=["POST"]),
        Route("/_mock/faults", delete_faults, methods=["DELETE"]),
        Route("/_mock/reset", post_reset, methods=["POST"]),
        Route("/_mock/health", health, methods=["GET"]),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.mock = MockState(
        script=script, initial_script=script, chunk_delay=chunk_delay, stall_seconds=stall_seconds
    )
    return app
