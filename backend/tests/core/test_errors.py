"""Every 4xx and 5xx has the same JSON shape, and bad input never produces a 500."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from aigc.core.config import load_settings
from aigc.main import create_app
from tests.factories import signed_in_user

ERROR_KEYS = {"code", "message", "details", "request_id"}


async def test_unknown_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert set(response.json()) == ERROR_KEYS and response.json()["code"] == "not_found"


async def test_wrong_method(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/health")
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"


async def test_body_that_is_not_json(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_json"
    assert response.json()["message"] == "The request body is not valid JSON"


async def test_wrong_types_list_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/register", json={"username": ["x"], "password": 5})
    body = response.json()
    assert response.status_code == 422 and body["code"] == "validation_error"
    assert {d["field"] for d in body["details"]} == {"username", "password"}
    assert "username" in body["message"] and "password" in body["message"]


async def test_json_array_instead_of_object(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/register", json=[1, 2])
    assert response.status_code == 422


async def test_request_id_is_echoed_in_header_and_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nope", headers={"X-Request-ID": "trace-42"})
    assert response.headers["X-Request-ID"] == "trace-42"
    assert response.json()["request_id"] == "trace-42"
    forged = await client.get("/api/v1/nope", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged.headers["X-Request-ID"] != "bad id\nwith newline"


def _small_app() -> FastAPI:
    app = create_app(load_settings(max_request_body_bytes=2048), configure_logs=False)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("database password is hunter2")

    return app


async def test_oversized_body_is_413() -> None:
    transport = httpx.ASGITransport(app=_small_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/api/v1/auth/register", content=b"x" * 5000, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_oversized_chunked_body_is_413() -> None:
    async def chunks():
        for _ in range(10):
            yield b"x" * 1000

    transport = httpx.ASGITransport(app=_small_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post(
            "/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


async def test_unexpected_error_is_a_500_without_internals() -> None:
    transport = httpx.ASGITransport(app=_small_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert "hunter2" not in response.text


async def test_forbidden_has_the_shape(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    response = await client.get("/api/v1/users", headers=user.headers)
    assert response.status_code == 403 and set(response.json()) == ERROR_KEYS
