"""Sign-up, sign-in, refresh, sign-out, password change, and every way a token can be wrong."""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid

import httpx
import pytest
from jose import jwt

from aigc.core.config import reset_settings_cache
from aigc.core.security import create_access_token
from aigc.users.models import Role
from tests.conftest import TEST_JWT_SECRET
from tests.factories import DEFAULT_PASSWORD, create_user, sign_in, signed_in_user

API = "/api/v1"


class TestRegister:
    async def test_creates_account_with_user_role(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            f"{API}/auth/register",
            json={"username": "Alice", "password": "long-enough-pw", "email": "A@x.org"},
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["username"] == "alice" and body["email"] == "a@x.org"
        assert body["role"] == "user" and body["is_active"] is True
        assert "password" not in json.dumps(body)

    async def test_duplicate_username_is_conflict_regardless_of_case(self, client: httpx.AsyncClient) -> None:
        await create_user(username="bob")
        response = await client.post(
            f"{API}/auth/register", json={"username": "BOB", "password": "long-enough-pw"}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "username_taken"

    async def test_duplicate_email_is_conflict(self, client: httpx.AsyncClient) -> None:
        await create_user(username="carol", email="carol@example.com")
        response = await client.post(
            f"{API}/auth/register",
            json={"username": "carol2", "password": "long-enough-pw", "email": "Carol@Example.com"},
        )
        assert response.status_code == 409
        assert response.json()["code"] == "email_taken"

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"username": "ab", "password": "long-enough-pw"}, "username"),
            ({"username": "has space", "password": "long-enough-pw"}, "username"),
            ({"username": "dave", "password": "short"}, "password"),
            ({"username": "dave", "password": "long-enough-pw", "email": "not-an-email"}, "email"),
            ({"username": 123, "password": "long-enough-pw"}, "username"),
        ],
    )
    async def test_invalid_input_names_the_field(
        self, client: httpx.AsyncClient, payload: dict, field: str
    ) -> None:
        response = await client.post(f"{API}/auth/register", json=payload)
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "validation_error"
        assert field in body["message"]
        assert body["details"][0]["field"] == field

    async def test_closed_when_registration_is_admin_only(
        self, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("REGISTRATION_MODE", "admin_only")
        reset_settings_cache()
        response = await client.post(
            f"{API}/auth/register", json={"username": "erin", "password": "long-enough-pw"}
        )
        assert response.status_code == 403
        assert response.json()["code"] == "registration_closed"
        info = await client.get(f"{API}/platform/info")
        assert info.json()["registration_mode"] == "admin_only"


class TestLogin:
    async def test_username_or_email_signs_in_and_sets_refresh_cookie(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await create_user(username="frank", email="frank@example.com")
        for login in ("frank", "FRANK", "frank@example.com"):
            response = await client.post(
                f"{API}/auth/login", data={"username": login, "password": DEFAULT_PASSWORD}
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["token_type"] == "bearer" and body["expires_in"] == 30 * 60
            cookie = response.headers["set-cookie"]
            assert "aigc_refresh=" in cookie and "HttpOnly" in cookie and "Path=/api/v1/auth" in cookie
            assert "samesite=strict" in cookie.lower()
        me = await client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200 and me.json()["id"] == str(user.id)
        assert me.json()["last_login_at"] is not None

    async def test_unknown_user_and_wrong_password_look_the_same(self, client: httpx.AsyncClient) -> None:
        await create_user(username="grace")
        wrong = await client.post(
            f"{API}/auth/login", data={"username": "grace", "password": "nope-nope-nope"}
        )
        unknown = await client.post(
            f"{API}/auth/login", data={"username": "nobody", "password": "nope-nope-nope"}
        )
        assert wrong.status_code == unknown.status_code == 401
        strip = lambda r: {k: v for k, v in r.json().items() if k != "request_id"}  # noqa: E731
        assert strip(wrong) == strip(unknown)
        assert wrong.json()["message"] == "Incorrect username or password"

    async def test_disabled_user_with_the_right_password_is_told_to_ask_an_admin(
        self, client: httpx.AsyncClient
    ) -> None:
        await create_user(username="heidi", is_active=False)
        response = await client.post(
            f"{API}/auth/login", data={"username": "heidi", "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "account_disabled"
        assert "disabled" in body["message"] and "administrator" in body["message"]
        assert "set-cookie" not in response.headers

    async def test_disabled_user_with_a_wrong_password_learns_nothing(
        self, client: httpx.AsyncClient
    ) -> None:
        await create_user(username="ivan", is_active=False)
        response = await client.post(
            f"{API}/auth/login", data={"username": "ivan", "password": "nope-nope-nope"}
        )
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"
        assert response.json()["message"] == "Incorrect username or password"

    async def test_missing_form_fields_are_a_validation_error(self, client: httpx.AsyncClient) -> None:
        response = await client.post(f"{API}/auth/login", data={"username": "x"})
        assert response.status_code == 422
        assert "password" in response.json()["message"]

    async def test_account_is_throttled_after_repeated_failures(self, client: httpx.AsyncClient) -> None:
        await create_user(username="ivan")
        for _ in range(5):
            response = await client.post(
                f"{API}/auth/login", data={"username": "ivan", "password": "wrong-password"}
            )
            assert response.status_code == 401
        blocked = await client.post(
            f"{API}/auth/login", data={"username": "ivan", "password": DEFAULT_PASSWORD}
        )
        assert blocked.status_code == 429
        assert blocked.json()["code"] == "too_many_attempts"
        assert int(blocked.headers["Retry-After"]) >= 1
        # Another account from the same address is not affected by ivan's failures.
        await create_user(username="judy")
        assert (
            await client.post(f"{API}/auth/login", data={"username": "judy", "password": DEFAULT_PASSWORD})
        ).status_code == 200

    async def test_success_clears_the_failure_count(self, client: httpx.AsyncClient) -> None:
        await create_user(username="kim")
        for _ in range(4):
            await client.post(f"{API}/auth/login", data={"username": "kim", "password": "wrong-password"})
        assert (
            await client.post(f"{API}/auth/login", data={"username": "kim", "password": DEFAULT_PASSWORD})
        ).status_code == 200
        for _ in range(4):
            response = await client.post(
                f"{API}/auth/login", data={"username": "kim", "password": "wrong-password"}
            )
            assert response.status_code == 401

    async def test_client_address_is_throttled_across_accounts(
        self, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LOGIN_MAX_ATTEMPTS_PER_IP", "3")
        reset_settings_cache()
        statuses = [
            (
                await client.post(
                    f"{API}/auth/login", data={"username": f"ghost{i}", "password": "whatever-pw"}
                )
            ).status_code
            for i in range(4)
        ]
        assert statuses == [401, 401, 401, 429]


class TestRefresh:
    async def test_body_token_rotates(self, client: httpx.AsyncClient) -> None:
        signed = await signed_in_user(client)
        first = await client.post(f"{API}/auth/refresh", json={"refresh_token": signed.refresh_token})
        assert first.status_code == 200
        new_pair = first.json()
        assert new_pair["refresh_token"] != signed.refresh_token
        me = await client.get(
            f"{API}/auth/me", headers={"Authorization": f"Bearer {new_pair['access_token']}"}
        )
        assert me.status_code == 200

    async def test_cookie_keeps_a_browser_signed_in(self, client: httpx.AsyncClient) -> None:
        user = await create_user()
        login = await client.post(
            f"{API}/auth/login", data={"username": user.username, "password": DEFAULT_PASSWORD}
        )
        assert login.status_code == 200
        # The cookie jar now holds aigc_refresh; a reload would call refresh with no body.
        refreshed = await client.post(f"{API}/auth/refresh")
        assert refreshed.status_code == 200, refreshed.text
        again = await client.post(f"{API}/auth/refresh")
        assert again.status_code == 200

    async def test_two_tabs_refreshing_at_once_both_stay_signed_in(self, client: httpx.AsyncClient) -> None:
        signed = await signed_in_user(client)
        first, second = await asyncio.gather(
            client.post(f"{API}/auth/refresh", json={"refresh_token": signed.refresh_token}),
            client.post(f"{API}/auth/refresh", json={"refresh_token": signed.refresh_token}),
        )
        assert first.status_code == second.status_code == 200
        for pair in (first.json(), second.json()):
            assert (
                await client.post(f"{API}/auth/refresh", json={"refresh_token": pair["refresh_token"]})
            ).status_code == 200

    async def test_reusing_a_rotated_token_revokes_the_family(
        self, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from datetime import timedelta

        from aigc.auth import service as auth_service

        monkeypatch.setattr(
            auth_service, "REFRESH_REUSE_GRACE", timedelta(0)
        )  # reuse long after the rotation
        signed = await signed_in_user(client)
        rotated = (
            await client.post(f"{API}/auth/refresh", json={"refresh_token": signed.refresh_token})
        ).json()
        reuse = await client.post(f"{API}/auth/refresh", json={"refresh_token": signed.refresh_token})
        assert reuse.status_code == 401 and reuse.json()["code"] == "refresh_reused"
        # The legitimate-looking newer token is revoked too: whoever holds it must sign in again.
        after = await client.post(f"{API}/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
        assert after.status_code == 401

    async def test_missing_and_unknown_tokens(self, client: httpx.AsyncClient) -> None:
        missing = await client.post(f"{API}/auth/refresh")
        assert missing.status_code == 401 and missing.json()["code"] == "refresh_missing"
        unknown = await client.post(f"{API}/auth/refresh", json={"refresh_token": "made-up"})
        assert unknown.status_code == 401 and unknown.json()["code"] == "refresh_invalid"

    async def test_disabled_user_cannot_refresh(self, client: httpx.AsyncClient) -> None:
        signed = await signed_in_user(client)
        admin = await signed_in_user(client, role=Role.admin)
        await client.patch(f"{API}/users/{signed.user.id}", json={"is_active": False}, headers=admin.headers)
        response = await client.post(f"{API}/auth/refresh", json={"refresh_token": signed.refresh_token})
        assert response.status_code == 401


class TestLogout:
    async def test_revokes_refresh_token_and_clears_cookie(self, client: httpx.AsyncClient) -> None:
        signed = await signed_in_user(client)
        response = await client.post(f"{API}/auth/logout", json={"refresh_token": signed.refresh_token})
        assert response.status_code == 204
        assert (
            'aigc_refresh=""' in response.headers["set-cookie"]
            or "Max-Age=0" in response.headers["set-cookie"]
        )
        refresh = await client.post(f"{API}/auth/refresh", json={"refresh_token": signed.refresh_token})
        assert refresh.status_code == 401

    async def test_logout_without_token_is_harmless(self, client: httpx.AsyncClient) -> None:
        assert (await client.post(f"{API}/auth/logout")).status_code == 204


class TestChangePassword:
    async def test_old_tokens_stop_working_and_new_password_works(self, client: httpx.AsyncClient) -> None:
        signed = await signed_in_user(client)
        response = await client.post(
            f"{API}/auth/change-password",
            json={"current_password": DEFAULT_PASSWORD, "new_password": "a-brand-new-password"},
            headers=signed.headers,
        )
        assert response.status_code == 200, response.text
        fresh = response.json()
        old = await client.get(f"{API}/auth/me", headers=signed.headers)
        assert old.status_code == 401 and "revoked" in old.json()["message"]
        assert (
            await client.post(f"{API}/auth/refresh", json={"refresh_token": signed.refresh_token})
        ).status_code == 401
        assert (
            await client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {fresh['access_token']}"})
        ).status_code == 200
        assert (await sign_in(client, signed.user, "a-brand-new-password")).access_token

    async def test_wrong_current_password(self, client: httpx.AsyncClient) -> None:
        signed = await signed_in_user(client)
        response = await client.post(
            f"{API}/auth/change-password",
            json={"current_password": "not-it-at-all", "new_password": "a-brand-new-password"},
            headers=signed.headers,
        )
        assert response.status_code == 400 and response.json()["code"] == "wrong_password"

    async def test_too_short_new_password(self, client: httpx.AsyncClient) -> None:
        signed = await signed_in_user(client)
        response = await client.post(
            f"{API}/auth/change-password",
            json={"current_password": DEFAULT_PASSWORD, "new_password": "short"},
            headers=signed.headers,
        )
        assert response.status_code == 422 and "new_password" in response.json()["message"]

    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            f"{API}/auth/change-password",
            json={"current_password": "x", "new_password": "a-brand-new-password"},
        )
        assert response.status_code == 401


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class TestAccessTokens:
    """Every wrong token gets 401 on a protected route."""

    async def _claims(self, user_id: uuid.UUID, **overrides: object) -> dict:
        now = int(time.time())
        claims = {"sub": str(user_id), "ver": 0, "type": "access", "iat": now, "exp": now + 600}
        claims.update(overrides)
        return claims

    async def _me(self, client: httpx.AsyncClient, token: str) -> httpx.Response:
        return await client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"})

    async def test_valid_token_is_accepted(self, client: httpx.AsyncClient) -> None:
        user = await create_user()
        token = jwt.encode(await self._claims(user.id), TEST_JWT_SECRET, algorithm="HS256")
        assert (await self._me(client, token)).status_code == 200

    async def test_missing_and_malformed(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(f"{API}/auth/me")).status_code == 401
        for token in ("garbage", "a.b.c", "", "Bearer"):
            response = await client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"] == "Bearer"

    async def test_alg_none_is_refused(self, client: httpx.AsyncClient) -> None:
        user = await create_user()
        unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(await self._claims(user.id))}."
        assert (await self._me(client, unsigned)).status_code == 401

    async def test_algorithm_swap_is_refused(self, client: httpx.AsyncClient) -> None:
        user = await create_user()
        claims = await self._claims(user.id)
        for alg in ("HS384", "HS512"):
            assert (
                await self._me(client, jwt.encode(claims, TEST_JWT_SECRET, algorithm=alg))
            ).status_code == 401

    async def test_other_secret_is_refused(self, client: httpx.AsyncClient) -> None:
        user = await create_user()
        forged = jwt.encode(
            await self._claims(user.id), "another-secret-that-is-long-enough-xx", algorithm="HS256"
        )
        assert (await self._me(client, forged)).status_code == 401

    async def test_tampered_payload_is_refused(self, client: httpx.AsyncClient) -> None:
        user = await create_user()
        admin = await create_user(role=Role.admin)
        header, _payload, signature = jwt.encode(
            await self._claims(user.id), TEST_JWT_SECRET, algorithm="HS256"
        ).split(".")
        tampered = f"{header}.{_b64(await self._claims(admin.id))}.{signature}"
        assert (await self._me(client, tampered)).status_code == 401

    async def test_expired_is_refused(self, client: httpx.AsyncClient) -> None:
        user = await create_user()
        past = int(time.time()) - 3600
        token = jwt.encode(
            await self._claims(user.id, iat=past - 60, exp=past), TEST_JWT_SECRET, algorithm="HS256"
        )
        response = await self._me(client, token)
        assert response.status_code == 401 and "expired" in response.json()["message"]

    @pytest.mark.parametrize("bad", [{"type": "refresh"}, {"ver": "0"}, {"sub": "not-a-uuid"}, {"exp": None}])
    async def test_wrong_shape_is_refused(self, client: httpx.AsyncClient, bad: dict) -> None:
        user = await create_user()
        claims = {k: v for k, v in (await self._claims(user.id, **bad)).items() if v is not None}
        assert (
            await self._me(client, jwt.encode(claims, TEST_JWT_SECRET, algorithm="HS256"))
        ).status_code == 401

    async def test_deleted_or_unknown_user_is_refused(self, client: httpx.AsyncClient) -> None:
        token = jwt.encode(await self._claims(uuid.uuid4()), TEST_JWT_SECRET, algorithm="HS256")
        assert (await self._me(client, token)).status_code == 401

    async def test_disabled_user_with_unexpired_token_is_refused(self, client: httpx.AsyncClient) -> None:
        signed = await signed_in_user(client)
        admin = await signed_in_user(client, role=Role.admin)
        assert (await client.get(f"{API}/auth/me", headers=signed.headers)).status_code == 200
        await client.patch(f"{API}/users/{signed.user.id}", json={"is_active": False}, headers=admin.headers)
        response = await client.get(f"{API}/auth/me", headers=signed.headers)
        assert response.status_code == 401 and "disabled" in response.json()["message"]

    async def test_token_older_than_password_change_is_refused(
        self, client: httpx.AsyncClient, settings
    ) -> None:
        signed = await signed_in_user(client)
        stale, _ = create_access_token(settings, signed.user.id, token_version=0)
        await client.post(
            f"{API}/auth/change-password",
            json={"current_password": DEFAULT_PASSWORD, "new_password": "a-brand-new-password"},
            headers=signed.headers,
        )
        assert (await self._me(client, stale)).status_code == 401
