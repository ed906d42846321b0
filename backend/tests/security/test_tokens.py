"""Every kind of bad access token gets 401 on every kind of protected route (reads, writes, streams, admin).

tests/auth/test_endpoints.py checks each kind once on /auth/me; this runs the same kinds across routes that
resolve the user through different dependency paths, with the token's subject an administrator who owns
what the routes name, so that only the token can be the reason for the refusal.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest
from jose import jwt

from aigc.core.config import get_settings
from aigc.core.security import create_access_token
from aigc.users.models import Role, User
from tests.conftest import TEST_JWT_SECRET
from tests.factories import DEFAULT_PASSWORD, SignedIn, create_user, rate, record_turn, sign_in

API = "/api/v1"


@dataclass
class Subject:
    signed: SignedIn
    session_id: uuid.UUID
    message_id: uuid.UUID


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(user_id: uuid.UUID, **changes: object) -> dict:
    now = int(time.time())
    claims = {"sub": str(user_id), "ver": 0, "type": "access", "iat": now, "exp": now + 600}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _hs256(claims: dict, secret: str = TEST_JWT_SECRET, alg: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=alg)


async def _disable(client: httpx.AsyncClient, subject: Subject, admin: SignedIn) -> None:
    response = await client.patch(
        f"{API}/users/{subject.signed.user.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.status_code == 200, response.text


async def _change_password(client: httpx.AsyncClient, subject: Subject, _admin: SignedIn) -> None:
    response = await client.post(
        f"{API}/auth/change-password",
        json={"current_password": DEFAULT_PASSWORD, "new_password": "a-brand-new-password"},
        headers=subject.signed.headers,
    )
    assert response.status_code == 200, response.text


async def _delete(client: httpx.AsyncClient, subject: Subject, admin: SignedIn) -> None:
    response = await client.delete(f"{API}/users/{subject.signed.user.id}", headers=admin.headers)
    assert response.status_code == 204, response.text


Forge = Callable[[User, User], str]
# kind -> (how to make the token from the subject and another user, what to do to the account afterwards)
KINDS: dict[str, tuple[Forge, Callable[[httpx.AsyncClient, Subject, SignedIn], Awaitable[None]] | None]] = {
    "alg-none": (lambda u, _o: f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(u.id))}.", None),
    "alg-none-with-signature": (
        lambda u, _o: ".".join([_b64({"alg": "none"}), *_hs256(_claims(u.id)).split(".")[1:]]),
        None,
    ),
    "alg-HS512": (lambda u, _o: _hs256(_claims(u.id), alg="HS512"), None),
    "alg-RS256-header-hmac-signed": (
        lambda u, _o: ".".join([_b64({"alg": "RS256", "typ": "JWT"}), *_hs256(_claims(u.id)).split(".")[1:]]),
        None,
    ),
    "tampered-subject": (
        lambda u, o: ".".join([(t := _hs256(_claims(o.id)).split("."))[0], _b64(_claims(u.id)), t[2]]),
        None,
    ),
    "expired": (
        lambda u, _o: _hs256(_claims(u.id, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
        None,
    ),
    "no-expiry": (lambda u, _o: _hs256(_claims(u.id, exp=None)), None),
    "other-secret": (
        lambda u, _o: _hs256(_claims(u.id), secret="another-secret-that-is-long-enough-000"),
        None,
    ),
    "refresh-type": (lambda u, _o: _hs256(_claims(u.id, type="refresh")), None),
    "disabled-user": (lambda u, _o: create_access_token(get_settings(), u.id, u.token_version)[0], _disable),
    "older-than-password-change": (
        lambda u, _o: create_access_token(get_settings(), u.id, u.token_version)[0],
        _change_password,
    ),
    "deleted-user": (lambda u, _o: create_access_token(get_settings(), u.id, u.token_version)[0], _delete),
}


def _routes(s: Subject) -> list[tuple[str, str, dict | None]]:
    """Protected routes reached through different dependencies, each naming the subject's own objects."""
    return [
        ("GET", f"{API}/auth/me", None),
        ("GET", f"{API}/sessions", None),
        ("GET", f"{API}/sessions/{s.session_id}", None),
        ("GET", f"{API}/sessions/{s.session_id}/stream", None),
        ("GET", f"{API}/messages/{s.message_id}/feedback", None),
        ("GET", f"{API}/users", None),
        ("GET", f"{API}/platform/cron/jobs", None),
        ("GET", f"{API}/sessions/stats", None),
        ("PUT", f"{API}/messages/{s.message_id}/feedback", {"rating": "up"}),
        ("PATCH", f"{API}/sessions/{s.session_id}", {"title": "renamed"}),
        ("POST", f"{API}/sessions/{s.session_id}/messages", {"content": "hello"}),
        ("POST", f"{API}/scenarios", {"name": "forged"}),
        ("DELETE", f"{API}/sessions/{s.session_id}", None),
    ]


@pytest.mark.parametrize("kind", list(KINDS))
async def test_bad_token_is_refused_everywhere(client: httpx.AsyncClient, kind: str) -> None:
    user = await create_user(role=Role.admin)
    subject = Subject(await sign_in(client, user), *(await _turn(user)))
    other_admin = await create_user(role=Role.admin)
    admin = await sign_in(client, other_admin)
    forge, then = KINDS[kind]
    token = forge(user, other_admin)
    await rate(client, subject.signed, subject.message_id)

    # The positive control: the subject's real token reads every one of these routes.
    for method, url, _ in _routes(subject):
        if method == "GET":
            response = await client.get(url, headers=subject.signed.headers)
            assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:200]}"
    if then is not None:
        await then(client, subject, admin)

    wrong = []
    for method, url, body in _routes(subject):
        response = await client.request(method, url, headers={"Authorization": f"Bearer {token}"}, json=body)
        if response.status_code != 401 or response.headers.get("www-authenticate") != "Bearer":
            wrong.append(f"{method} {url}: {response.status_code} {response.text[:160]}")
    assert not wrong, f"{kind} token accepted:\n" + "\n".join(wrong)


async def _turn(user: User) -> tuple[uuid.UUID, uuid.UUID]:
    recorded = await record_turn(user)
    return recorded.session_id, recorded.assistant_message_id
