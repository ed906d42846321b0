"""Session management: creation (scenario, default, auto), listing, rename, delete, and other users' 404s."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx

from aigc.users.models import Role
from tests.factories import create_scenario_via_api, signed_in_user

API = "/api/v1/sessions"


async def _scenario_id(client: httpx.AsyncClient, headers: dict[str, str], slug: str) -> str:
    items = (await client.get("/api/v1/scenarios", params={"limit": 200}, headers=headers)).json()["items"]
    return next(s["id"] for s in items if s["slug"] == slug)


class TestCreateSession:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        assert (await client.post(API, json={})).status_code == 401

    async def test_default_scenario_when_none_given(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        created = await client.post(API, json={}, headers=user.headers)
        assert created.status_code == 201
        body = created.json()
        assert body["scenario_name"] == "通用助手" and body["title"] == "" and body["is_running"] is False

    async def test_chosen_scenario(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        scenario_id = await _scenario_id(client, user.headers, "data-helper")
        body = (
            await client.post(API, json={"scenario_id": scenario_id, "title": "Q3"}, headers=user.headers)
        ).json()
        assert body["scenario_id"] == scenario_id and body["title"] == "Q3"

    async def test_auto_uses_the_matcher_and_falls_back_to_default(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        marketing = await _scenario_id(client, user.headers, "marketing-copy")
        default = await _scenario_id(client, user.headers, "general-assistant")
        auto = await client.post(
            API,
            json={"scenario_id": "auto", "first_message": "为新款保温杯写三条小红书文案"},
            headers=user.headers,
        )
        assert auto.json()["scenario_id"] == marketing
        chitchat = await client.post(
            API, json={"scenario_id": "auto", "first_message": "你好"}, headers=user.headers
        )
        assert chitchat.json()["scenario_id"] == default

    async def test_private_scenario_of_another_user_is_not_found(self, client: httpx.AsyncClient) -> None:
        alice = await signed_in_user(client)
        bob = await signed_in_user(client)
        private = await create_scenario_via_api(client, alice)
        response = await client.post(API, json={"scenario_id": private["id"]}, headers=bob.headers)
        assert response.status_code == 404

    async def test_bad_scenario_value(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.post(API, json={"scenario_id": "sometimes"}, headers=user.headers)
        assert response.status_code == 422

    async def test_disabled_scenario(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        scenario = await create_scenario_via_api(client, admin, is_enabled=False)
        response = await client.post(API, json={"scenario_id": scenario["id"]}, headers=admin.headers)
        assert response.status_code == 409 and response.json()["code"] == "scenario_disabled"


class TestListRenameDelete:
    async def test_list_is_own_newest_first_searchable_and_paged(self, client: httpx.AsyncClient) -> None:
        alice = await signed_in_user(client)
        bob = await signed_in_user(client)
        ids = []
        for title in ("Budget plan", "Travel notes", "Budget review"):
            ids.append((await client.post(API, json={"title": title}, headers=alice.headers)).json()["id"])
        await client.post(API, json={"title": "Bob's"}, headers=bob.headers)
        listed = (await client.get(API, headers=alice.headers)).json()
        assert listed["count"] == 3 and [s["id"] for s in listed["items"]] == ids[::-1]
        found = (await client.get(API, params={"search": "budget"}, headers=alice.headers)).json()
        assert {s["title"] for s in found["items"]} == {"Budget plan", "Budget review"}
        page = (await client.get(API, params={"limit": 1, "offset": 1}, headers=alice.headers)).json()
        assert [s["id"] for s in page["items"]] == [ids[1]]

    async def test_rename(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        created = (await client.post(API, json={}, headers=user.headers)).json()
        renamed = await client.patch(
            f"{API}/{created['id']}", json={"title": "  New name "}, headers=user.headers
        )
        assert renamed.json()["title"] == "New name"
        assert (
            await client.patch(f"{API}/{created['id']}", json={"title": ""}, headers=user.headers)
        ).status_code == 422

    async def test_renaming_is_activity_kept_by_the_model(self, client: httpx.AsyncClient) -> None:
        """updated_at moves with any update of the row (no hand-written assignment), so the list reorders."""
        user = await signed_in_user(client)
        older = (await client.post(API, json={"title": "Older"}, headers=user.headers)).json()
        newer = (await client.post(API, json={"title": "Newer"}, headers=user.headers)).json()
        renamed = (
            await client.patch(f"{API}/{older['id']}", json={"title": "Renamed"}, headers=user.headers)
        ).json()
        assert datetime.fromisoformat(renamed["updated_at"]) > datetime.fromisoformat(older["updated_at"])
        assert renamed["created_at"] == older["created_at"]
        listed = (await client.get(API, headers=user.headers)).json()["items"]
        assert [s["id"] for s in listed] == [older["id"], newer["id"]]

    async def test_other_users_get_404_everywhere(self, client: httpx.AsyncClient) -> None:
        alice = await signed_in_user(client)
        bob = await signed_in_user(client)
        session_id = (await client.post(API, json={}, headers=alice.headers)).json()["id"]
        calls = [
            ("GET", f"{API}/{session_id}", None),
            ("PATCH", f"{API}/{session_id}", {"title": "mine"}),
            ("DELETE", f"{API}/{session_id}", None),
            ("POST", f"{API}/{session_id}/messages", {"content": "hi"}),
            ("GET", f"{API}/{session_id}/stream", None),
            ("POST", f"{API}/{session_id}/stop", None),
            ("GET", f"{API}/{session_id}/artifacts", None),
        ]
        for method, url, body in calls:
            response = await client.request(method, url, json=body, headers=bob.headers)
            assert response.status_code == 404, (method, url, response.status_code)
        assert (await client.get(f"{API}/{session_id}", headers=alice.headers)).status_code == 200

    async def test_unknown_session(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        assert (await client.get(f"{API}/{uuid.uuid4()}", headers=user.headers)).status_code == 404
        assert (await client.get(f"{API}/not-an-id", headers=user.headers)).status_code == 422
