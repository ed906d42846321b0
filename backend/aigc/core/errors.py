"""One JSON error shape for every 4xx and 5xx, and the typed domain errors that produce it."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aigc.core.logging import current_request_id

logger = logging.getLogger("aigc.errors")


class ErrorBody(BaseModel):
    """What every failed request returns."""

    code: str
    message: str
    details: list[dict[str, Any]] | dict[str, Any] | None = None
    request_id: str | None = None


class AppError(Exception):
    """A domain error with its HTTP status, a stable code and a message a person understands."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status_code: int | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
    ) -> None:
        super().__init__(message)
        self.keep_changes = keep_changes
        self.message = message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.details = details
        self.headers = headers


class NotFoundError(AppError):
    status_code = 404
    code = "not_found"


class ConflictError(AppError):
    status_code = 409
    code = "conflict"


class PermissionDeniedError(AppError):
    status_code = 403
    code = "forbidden"


class AuthenticationError(AppError):
    status_code = 401
    code = "not_authenticated"

    def __init__(self, message: str = "Not signed in or the session has expired", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class ServiceUnavailableError(AppError):
    status_code = 503
    code = "service_unavailable"


def error_responses(*statuses: int, json_content: bool = False) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the errors an endpoint can raise.

    `json_content` spells the media type out, for endpoints whose success is not JSON (event streams):
    their errors are still JSON, not in the endpoint's own media type.
    """
    if json_content:
        schema = {"$ref": "#/components/schemas/ErrorBody"}
        return {
            status: {
                "description": HTTPStatus(status).phrase,
                "content": {"application/json": {"schema": schema}},
            }
            for status in statuses
        }
    return {status: {"model": ErrorBody, "description": HTTPStatus(status).phrase} for status in statuses}


def _body(status: int, code: str, message: str, details: Any = None) -> dict[str, Any]:
    return ErrorBody(
        code=code, message=message, details=details, request_id=current_request_id()
    ).model_dump()


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The error shape as a response, for code that answers outside the exception handlers (middleware)."""
    return JSONResponse(_body(status, code, message), status_code=status, headers=headers)


_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def _describe_validation(errors: list[dict[str, Any]]) -> tuple[str, str, list[dict[str, Any]]]:
    details = [
        {
            "field": ".".join(str(part) for part in err.get("loc", ()) if part != "body") or "body",
            "message": err.get("msg", "invalid value"),
            "type": err.get("type", "value_error"),
        }
        for err in errors
    ]
    if any(err.get("type") == "json_invalid" for err in errors):
        return "invalid_json", "The request body is not valid JSON", details
    if len(details) == 1:
        only = details[0]
        return "validation_error", f"Invalid value for '{only['field']}': {only['message']}", details
    fields = ", ".join(dict.fromkeys(d["field"] for d in details))
    return "validation_error", f"Some fields are invalid: {fields}", details


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through the single JSON shape."""

    @app.exception_handler(AppError)
    async def _app_error(_request: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(
            _body(exc.status_code, exc.code, exc.message, exc.details),
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        code = _HTTP_CODES.get(status, "error" if status >= 500 else "bad_request")
        if status == 400 and exc.detail == "There was an error parsing the body":
            if request.headers.get("content-type", "").startswith("multipart/form-data"):
                # A file upload cut off on the way, or a body that is not multipart at all.
                return error_response(
                    400, "invalid_upload", "The upload was incomplete or not valid multipart/form-data"
                )
            # FastAPI's own answer to a body it cannot decode (not UTF-8): the same as any other bad JSON.
            return error_response(422, "invalid_json", "The request body is not valid JSON")
        if isinstance(exc.detail, str) and exc.detail != HTTPStatus(status).phrase:
            message = exc.detail
        elif status == 404:
            message = "No such endpoint or resource"
        elif status == 405:
            message = "This endpoint does not accept that HTTP method"
        elif status == 413:
            message = "The request body is too large"
        else:
            message = HTTPStatus(status).phrase
        return error_response(status, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        code, message, details = _describe_validation(list(exc.errors()))
        return JSONResponse(_body(422, code, message, details), status_code=422)

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        logger.warning("Database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return error_response(
            503,
            "database_unavailable",
            "The database is unavailable right now; try again shortly",
            headers={"Retry-After": "5"},
        )

    # A stopped or unreachable database, an exhausted pool, a locked SQLite file: the service is unavailable,
    # not broken, and clients should retry.
    for database_error in (OperationalError, InterfaceError, SQLAlchemyTimeoutError, ConnectionError):
        app.add_exception_handler(database_error, _database_unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("Unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            _body(500, "internal_error", "Something went wrong on the server; the error has been logged"),
            status_code=500,
        )
