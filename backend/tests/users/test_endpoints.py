"""Admin management of accounts: listing, creating, role and status changes, deletion, lock-out guards."""

from __future__ import annotations

import uuid

import httpx

from aigc.users.models import Role
from tests.factories import create_user, signed_in_user

API = "/api/v1/users"


class TestListUsers:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(API)).status_code == 401

    async def test_forbidden_for_users(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.get(API, headers=user.headers)
        assert response.status_code == 403 and response.json()["code"] == "forbidden"

    async def test_paginates_and_searches(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin, username="boss")
        for name in ("zoe", "zack", "amy"):
            await create_user(username=name, email=f"{name}@corp.example")
        page = (await client.get(API, params={"limit": 2}, headers=admin.headers)).json()
        assert page["count"] == 4 and len(page["items"]) == 2
        rest = (await client.get(API, params={"limit": 2, "offset": 2}, headers=admin.headers)).json()
        assert {u["username"] for u in page["items"]} | {u["username"] for u in rest["items"]} == {
            "boss",
            "zoe",
            "zack",
            "amy",
        }
        found = (await client.get(API, params={"search": "ZA"}, headers=admin.headers)).json()
        assert [u["username"] for u in found["items"]] == ["zack"] and found["count"] == 1
        by_email = (await client.get(API, params={"search": "amy@corp"}, headers=admin.headers)).json()
        assert by_email["count"] == 1

    async def test_bad_paging_is_a_validation_error(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        for params in ({"limit": 0}, {"limit": 1000}, {"offset": -1}, {"limit": "many"}):
            response = await client.get(API, params=params, headers=admin.headers)
            assert response.status_code == 422, params


class TestCreateUser:
    async def test_admin_creates_admin(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await client.post(
            API,
            json={"username": "newadmin", "password": "long-enough-pw", "role": "admin"},
            headers=admin.headers,
        )
        assert response.status_code == 201 and response.json()["role"] == "admin"

    async def test_forbidden_for_users(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.post(
            API, json={"username": "x1x", "password": "long-enough-pw"}, headers=user.headers
        )
        assert response.status_code == 403

    async def test_unknown_role_is_rejected(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await client.post(
            API, json={"username": "odd", "password": "long-enough-pw", "role": "root"}, headers=admin.headers
        )
        assert response.status_code == 422 and "role" in response.json()["message"]


class TestUpdateUser:
    async def test_change_role_and_disable(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        target = await create_user()
        promoted = await client.patch(f"{API}/{target.id}", json={"role": "admin"}, headers=admin.headers)
        assert promoted.status_code == 200 and promoted.json()["role"] == "admin"
        disabled = await client.patch(f"{API}/{target.id}", json={"is_active": False}, headers=admin.headers)
        assert disabled.json()["is_active"] is False

    async def test_cannot_lock_yourself_out(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        await create_user(role=Role.admin)
        for change in ({"role": "user"}, {"is_active": False}):
            response = await client.patch(f"{API}/{admin.user.id}", json=change, headers=admin.headers)
            assert response.status_code == 409 and response.json()["code"] == "self_lockout"

    async def test_other_admins_can_be_demoted_and_the_demoted_lose_admin_rights(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        other = await signed_in_user(client, role=Role.admin)
        assert (await client.get(API, headers=other.headers)).status_code == 200
        demoted = await client.patch(f"{API}/{other.user.id}", json={"role": "user"}, headers=admin.headers)
        assert demoted.status_code == 200
        assert (await client.get(API, headers=other.headers)).status_code == 403

    async def test_unknown_user_and_bad_id(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        assert (
            await client.patch(f"{API}/{uuid.uuid4()}", json={}, headers=admin.headers)
        ).status_code == 404
        bad = await client.patch(f"{API}/not-a-uuid", json={}, headers=admin.headers)
        assert bad.status_code == 422 and "user_id" in bad.json()["message"]

    async def test_forbidden_for_users(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.patch(f"{API}/{user.user.id}", json={"role": "admin"}, headers=user.headers)
        assert response.status_code == 403


class TestDeleteUser:
    async def test_deletes_account_and_its_tokens(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        victim = await signed_in_user(client)
        assert (await client.delete(f"{API}/{victim.user.id}", headers=admin.headers)).status_code == 204
        assert (await client.get(f"{API}/{victim.user.id}", headers=admin.headers)).status_code == 404
        assert (
            await client.post("/api/v1/auth/refresh", json={"refresh_token": victim.refresh_token})
        ).status_code == 401
        assert (await client.get("/api/v1/auth/me", headers=victim.headers)).status_code == 401

    async def test_cannot_delete_yourself(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await client.delete(f"{API}/{admin.user.id}", headers=admin.headers)
        assert response.status_code == 409

    async def test_anonymous_and_forbidden(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        assert (await client.delete(f"{API}/{user.user.id}")).status_code == 401
        assert (await client.delete(f"{API}/{user.user.id}", headers=user.headers)).status_code == 403
