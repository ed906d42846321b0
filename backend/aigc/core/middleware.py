"""Pure ASGI middleware (streaming responses pass through untouched): request ids and the access log."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aigc.core import metrics
from aigc.core.errors import error_response
from aigc.core.logging import reset_request_id, set_request_id

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

access_logger = logging.getLogger("aigc.access")


class RequestContextMiddleware:
    """Give every request an id (a caller's well-formed X-Request-ID is kept) and log one line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex[:16]
        token = set_request_id(request_id)
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            # The path only: query strings may carry values that do not belong in a log.
            access_logger.info(
                "%s %s %s %.1fms",
                scope.get("method"),
                scope.get("path"),
                status_holder["status"],
                elapsed * 1000,
            )
            metrics.observe_request(
                str(scope.get("method")), _route_template(scope), status_holder["status"], elapsed
            )
            reset_request_id(token)


def _route_template(scope: Scope) -> str:
    """The matched route's template ("/api/v1/sessions/{session_id}"), never the raw path: bounded labels.

    FastAPI keeps the full template of a route mounted through nested routers in its own scope entry; the
    route object's path alone lacks the outer prefixes.
    """
    context = (scope.get("fastapi") or {}).get("effective_route_context")
    return getattr(context, "path", None) or getattr(scope.get("route"), "path", None) or "unmatched"


TOO_LARGE_MESSAGE = "The request body is too large"


class BodySizeLimitMiddleware:
    """Refuse bodies over the limit with a 413 in the usual error shape, declared or streamed (chunked)."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, larger: tuple[re.Pattern[str], int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # One route (file uploads) may take more; it checks its own per-file and per-request limits.
        self.larger = larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.max_bytes
        if self.larger is not None and self.larger[0].fullmatch(scope.get("path", "")):
            max_bytes = self.larger[1]
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await error_response(413, "payload_too_large", TOO_LARGE_MESSAGE)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # Raised inside body parsing; FastAPI lets HTTPException through to the error handlers.
                    raise HTTPException(413, TOO_LARGE_MESSAGE)
            return message

        await self.app(scope, limited_receive, send)
