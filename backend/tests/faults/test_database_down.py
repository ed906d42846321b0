"""PostgreSQL stopped while requests are in flight: health says 503 naming the database, no response
carries a stack trace, and everything works again once it is back (PostgreSQL only: SQLite is a file).

The outage is made once per module (a few seconds: other people use this server) and every test reads
what was observed during it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import IS_POSTGRES
from tests.factories import SignedIn, signed_in_user

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (set TEST_DATABASE_URL)")

API = "/api/v1"
OUTAGE_SECONDS = 3.0
CLUSTER = "main"


def pg_ctl(action: str) -> None:
    version = max(os.listdir("/etc/postgresql"), key=int)
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            CLUSTER,
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


@dataclass
class Outage:
    during: list[tuple[str, int, str]] = field(default_factory=list)  # (what, status, body) while down
    health_down: list[tuple[int, dict]] = field(default_factory=list)
    first_503_after: float | None = None
    recovered_after: float | None = None
    after: dict[str, int] = field(default_factory=dict)


async def _traffic(
    client: httpx.AsyncClient, user: SignedIn, session_id: str, log: list, stop: asyncio.Event
) -> None:
    """Ordinary reads and writes, as fast as they go, for as long as the outage lasts."""
    calls = [
        ("GET /sessions", lambda: client.get(f"{API}/sessions", headers=user.headers)),
        ("GET /sessions/{id}", lambda: client.get(f"{API}/sessions/{session_id}", headers=user.headers)),
        ("POST /sessions", lambda: client.post(f"{API}/sessions", json={}, headers=user.headers)),
        ("GET /scenarios", lambda: client.get(f"{API}/scenarios", headers=user.headers)),
        (
            "POST /sessions/{id}/messages",
            lambda: client.post(
                f"{API}/sessions/{session_id}/messages", json={"content": "hello"}, headers=user.headers
            ),
        ),
        (
            "POST /auth/login",
            lambda: client.post(
                f"{API}/auth/login", data={"username": user.user.username, "password": "wrong-password"}
            ),
        ),
    ]
    while not stop.is_set():
        for what, call in calls:
            response = await call()
            log.append((what, response.status_code, response.text))
        await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
async def outage(app: FastAPI) -> AsyncIterator[Outage]:
    seen = Outage()
    # A real server answers an unhandled error with the 500 the error handler made; so does this client.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as client:
        user = await signed_in_user(client)
        session_id = (await client.post(f"{API}/sessions", json={}, headers=user.headers)).json()["id"]
        assert (await client.get(f"{API}/health")).status_code == 200
        stop = asyncio.Event()
        try:
            await asyncio.to_thread(pg_ctl, "stop")
            stopped_at = time.monotonic()
            traffic = asyncio.create_task(_traffic(client, user, session_id, seen.during, stop))
            while time.monotonic() - stopped_at < OUTAGE_SECONDS:
                response = await client.get(f"{API}/health")
                seen.health_down.append((response.status_code, response.json()))
                if response.status_code == 503 and seen.first_503_after is None:
                    seen.first_503_after = time.monotonic() - stopped_at
                await asyncio.sleep(0.2)
            stop.set()
            await traffic
        finally:
            stop.set()
            await asyncio.to_thread(pg_ctl, "start")  # always: other people use this server
        started_at = time.monotonic()
        while time.monotonic() - started_at < 30:
            if (await client.get(f"{API}/health")).status_code == 200:
                seen.recovered_after = time.monotonic() - started_at
                break
            await asyncio.sleep(0.1)
        seen.after = {
            "GET /sessions": (await client.get(f"{API}/sessions", headers=user.headers)).status_code,
            "POST /sessions": (
                await client.post(f"{API}/sessions", json={}, headers=user.headers)
            ).status_code,
            "login": (
                await client.post(
                    f"{API}/auth/login",
                    data={"username": user.user.username, "password": "correct-horse-battery"},
                )
            ).status_code,
        }
    yield seen


def test_health_says_503_and_names_the_database(outage: Outage) -> None:
    assert outage.health_down and all(status == 503 for status, _ in outage.health_down), outage.health_down
    assert all(body["status"] == "error" and body["db"].startswith("error") for _, body in outage.health_down)
    assert outage.first_503_after is not None and outage.first_503_after < 3.5
    print(
        f"\nfirst 503 from /health {outage.first_503_after:.2f} s after the stop; "
        f"{len(outage.during)} requests during a {OUTAGE_SECONDS:.0f} s outage"
    )


def test_no_response_during_the_outage_leaks_internals(outage: Outage) -> None:
    assert outage.during, "no request ran during the outage"
    for what, status, body in outage.during:
        assert (
            "Traceback" not in body
            and 'File "' not in body
            and "asyncpg" not in body
            and "SELECT" not in body
        ), (what, body)
        assert body.startswith("{") and '"code"' in body and '"message"' in body, (what, status, body[:200])


def test_requests_during_the_outage_get_503(outage: Outage) -> None:
    statuses = {(what, status) for what, status, _ in outage.during}
    assert all(status == 503 for _, status in statuses), sorted(statuses)


def test_everything_recovers_when_the_database_is_back(outage: Outage) -> None:
    assert outage.recovered_after is not None and outage.recovered_after < 15
    assert outage.after == {"GET /sessions": 200, "POST /sessions": 201, "login": 200}
    print(f"\n/health back to 200 {outage.recovered_after:.2f} s after the start")
