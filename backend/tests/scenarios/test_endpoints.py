"""Scenarios: the built-in gallery, visibility, management rules, the single default, per-user settings."""

from __future__ import annotations

import uuid

import httpx

from aigc.users.models import Role
from tests.factories import create_scenario_via_api, create_skill_via_api, signed_in_user

API = "/api/v1/scenarios"


class TestListScenarios:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(API)).status_code == 401

    async def test_builtins_are_listed_default_first_in_two_languages(
        self, client: httpx.AsyncClient
    ) -> None:
        user = await signed_in_user(client)
        body = (await client.get(API, headers=user.headers)).json()
        slugs = [s["slug"] for s in body["items"]]
        assert slugs[0] == "general-assistant" and body["items"][0]["is_default"] is True
        assert {"marketing-copy", "report-writer", "data-helper", "translator"} <= set(slugs)
        for item in body["items"]:
            assert item["is_builtin"] and item["translations"]["en-US"]["name"]
            assert item["example_prompts"]
        assert sum(1 for s in body["items"] if s["is_default"]) == 1

    async def test_search_category_and_favourites(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        assert [
            s["slug"]
            for s in (await client.get(API, params={"search": "营销"}, headers=user.headers)).json()["items"]
        ] == ["marketing-copy"]
        data = (await client.get(API, params={"category": "data"}, headers=user.headers)).json()
        assert data["count"] == 1 and data["items"][0]["slug"] == "data-helper"
        scenario_id = data["items"][0]["id"]
        await client.put(f"{API}/{scenario_id}/config", json={"is_favorite": True}, headers=user.headers)
        favourites = (await client.get(API, params={"favorites_only": True}, headers=user.headers)).json()
        assert [s["id"] for s in favourites["items"]] == [scenario_id]
        assert favourites["items"][0]["user_config"]["is_favorite"] is True


class TestCreateScenario:
    async def test_user_creates_private_scenario_only_they_see(self, client: httpx.AsyncClient) -> None:
        alice = await signed_in_user(client)
        bob = await signed_in_user(client)
        created = await create_scenario_via_api(client, alice, name="Alice's helper", tags=["x", "x", " y "])
        assert created["is_public"] is False and created["created_by"] == str(alice.user.id)
        assert created["tags"] == ["x", "y"] and created["slug"] == "alice-s-helper"
        assert (await client.get(f"{API}/{created['id']}", headers=alice.headers)).status_code == 200
        assert (await client.get(f"{API}/{created['id']}", headers=bob.headers)).status_code == 404
        assert created["id"] not in [
            s["id"] for s in (await client.get(API, headers=bob.headers)).json()["items"]
        ]

    async def test_only_admins_publish(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.post(API, json={"name": "Pub", "is_public": True}, headers=user.headers)
        assert response.status_code == 403 and response.json()["code"] == "publish_forbidden"
        admin = await signed_in_user(client, role=Role.admin)
        assert (await create_scenario_via_api(client, admin, name="Pub", is_public=True))["is_public"] is True

    async def test_shell_and_network_tools_need_an_admin(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.post(
            API, json={"name": "Shell", "tools": ["Read", "Bash"]}, headers=user.headers
        )
        assert response.status_code == 403 and "Bash" in response.json()["message"]

    async def test_validation(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        cases = [
            ({"name": ""}, "name"),
            ({"name": "x", "tools": ["rm -rf"]}, "tools"),
            ({"name": "x", "max_turns": 0}, "max_turns"),
            ({"name": "x", "model": "bad model name"}, "model"),
            ({"name": "x", "slug": "Bad Slug"}, "slug"),
            ({"name": "x", "tags": ["t"] * 0 + [f"t{i}" for i in range(21)]}, "tags"),
        ]
        for payload, field in cases:
            response = await client.post(API, json=payload, headers=user.headers)
            assert response.status_code == 422, payload
            assert response.json()["details"][0]["field"] == field

    async def test_duplicate_slug(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.post(
            API, json={"name": "x", "slug": "general-assistant"}, headers=user.headers
        )
        assert response.status_code == 409 and response.json()["code"] == "slug_taken"

    async def test_skills_must_be_visible_and_public_for_public_scenarios(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        other = await signed_in_user(client)
        private_of_other = await create_skill_via_api(client, other, "others-skill")
        response = await client.post(
            API, json={"name": "x", "skill_ids": [private_of_other["id"]]}, headers=admin.headers
        )
        assert response.status_code == 422 and response.json()["code"] == "unknown_skill"
        own_private = await create_skill_via_api(client, admin, "admin-private")
        response = await client.post(
            API,
            json={"name": "x", "is_public": True, "skill_ids": [own_private["id"]]},
            headers=admin.headers,
        )
        assert response.status_code == 422 and response.json()["code"] == "private_skill_in_public_scenario"
        ok = await create_scenario_via_api(client, admin, name="with skill", skill_ids=[own_private["id"]])
        assert ok["skill_ids"] == [own_private["id"]]


class TestUpdateAndDeleteScenario:
    async def test_owner_updates_other_user_cannot(self, client: httpx.AsyncClient) -> None:
        alice = await signed_in_user(client)
        bob = await signed_in_user(client)
        created = await create_scenario_via_api(client, alice)
        changed = await client.patch(
            f"{API}/{created['id']}", json={"name": "Renamed", "max_turns": 5}, headers=alice.headers
        )
        assert (
            changed.status_code == 200
            and changed.json()["name"] == "Renamed"
            and changed.json()["max_turns"] == 5
        )
        assert changed.json()["system_prompt"] == "Be brief."
        assert (
            await client.patch(f"{API}/{created['id']}", json={"name": "x"}, headers=bob.headers)
        ).status_code == 404
        assert (await client.delete(f"{API}/{created['id']}", headers=bob.headers)).status_code == 404
        assert (await client.delete(f"{API}/{created['id']}", headers=alice.headers)).status_code == 204
        assert (await client.get(f"{API}/{created['id']}", headers=alice.headers)).status_code == 404

    async def test_null_clears_only_optional_fields(self, client: httpx.AsyncClient) -> None:
        alice = await signed_in_user(client)
        created = await create_scenario_via_api(client, alice, max_budget_usd=1.5)
        refused = await client.patch(
            f"{API}/{created['id']}", json={"system_prompt": None, "tags": None}, headers=alice.headers
        )
        assert refused.status_code == 422
        assert "cannot be null: system_prompt, tags" in refused.text
        unchanged = (await client.get(f"{API}/{created['id']}", headers=alice.headers)).json()
        assert unchanged["system_prompt"] == "Be brief." and unchanged["max_budget_usd"] == 1.5
        cleared = await client.patch(
            f"{API}/{created['id']}", json={"max_budget_usd": None}, headers=alice.headers
        )
        assert cleared.status_code == 200 and cleared.json()["max_budget_usd"] is None

    async def test_users_cannot_change_public_scenarios(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        default = (await client.get(f"{API}/default", headers=user.headers)).json()
        response = await client.patch(
            f"{API}/{default['id']}", json={"name": "Mine now"}, headers=user.headers
        )
        assert response.status_code == 403 and response.json()["code"] == "not_owner"

    async def test_disabled_public_scenario_is_hidden_from_users_not_admins(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        user = await signed_in_user(client)
        listed = (await client.get(API, params={"search": "translator"}, headers=admin.headers)).json()[
            "items"
        ][0]
        await client.patch(f"{API}/{listed['id']}", json={"is_enabled": False}, headers=admin.headers)
        assert (await client.get(f"{API}/{listed['id']}", headers=user.headers)).status_code == 404
        assert (await client.get(f"{API}/{listed['id']}", headers=admin.headers)).json()[
            "is_enabled"
        ] is False


class TestDefaultScenario:
    async def test_exactly_one_default_and_it_is_protected(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        old = (await client.get(f"{API}/default", headers=admin.headers)).json()
        for change in ({"is_public": False}, {"is_enabled": False}):
            response = await client.patch(f"{API}/{old['id']}", json=change, headers=admin.headers)
            assert response.status_code == 409 and response.json()["code"] == "default_locked"
        assert (await client.delete(f"{API}/{old['id']}", headers=admin.headers)).status_code == 409

        new = await create_scenario_via_api(client, admin, name="New default", is_public=True)
        assert (await client.post(f"{API}/{new['id']}/default", headers=admin.headers)).json()[
            "is_default"
        ] is True
        items = (await client.get(API, headers=admin.headers)).json()["items"]
        assert [s["id"] for s in items if s["is_default"]] == [new["id"]]
        assert (await client.delete(f"{API}/{old['id']}", headers=admin.headers)).status_code == 204

    async def test_private_scenario_cannot_be_default(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        private = await create_scenario_via_api(client, admin)
        response = await client.post(f"{API}/{private['id']}/default", headers=admin.headers)
        assert response.status_code == 409

    async def test_only_admins_choose_the_default(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        own = await create_scenario_via_api(client, user)
        assert (await client.post(f"{API}/{own['id']}/default", headers=user.headers)).status_code == 403


class TestUserScenarioConfig:
    async def test_settings_are_per_user(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        alice = await signed_in_user(client)
        bob = await signed_in_user(client)
        scenario = await create_scenario_via_api(
            client, admin, name="Multi-model", is_public=True, model="sonnet", allowed_models=["haiku"]
        )
        response = await client.put(
            f"{API}/{scenario['id']}/config",
            json={"extra_instructions": "Answer in English.", "model": "haiku", "is_favorite": True},
            headers=alice.headers,
        )
        assert response.status_code == 200
        assert response.json() == {
            "is_favorite": True,
            "extra_instructions": "Answer in English.",
            "model": "haiku",
            "last_used_at": None,
        }
        alice_view = (await client.get(f"{API}/{scenario['id']}", headers=alice.headers)).json()
        bob_view = (await client.get(f"{API}/{scenario['id']}", headers=bob.headers)).json()
        assert alice_view["user_config"]["model"] == "haiku" and bob_view["user_config"]["model"] is None

    async def test_model_must_be_allowed(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        default = (await client.get(f"{API}/default", headers=user.headers)).json()
        response = await client.put(
            f"{API}/{default['id']}/config", json={"model": "opus"}, headers=user.headers
        )
        assert response.status_code == 422 and response.json()["code"] == "model_not_allowed"

    async def test_unknown_scenario(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.put(
            f"{API}/{uuid.uuid4()}/config", json={"is_favorite": True}, headers=user.headers
        )
        assert response.status_code == 404


async def test_deleting_a_user_removes_their_private_scenarios_keeps_public(
    client: httpx.AsyncClient,
) -> None:
    admin = await signed_in_user(client, role=Role.admin)
    other_admin = await signed_in_user(client, role=Role.admin)
    private = await create_scenario_via_api(client, other_admin, name="private one")
    public = await create_scenario_via_api(client, other_admin, name="public one", is_public=True)
    assert (
        await client.delete(f"/api/v1/users/{other_admin.user.id}", headers=admin.headers)
    ).status_code == 204
    assert (await client.get(f"{API}/{public['id']}", headers=admin.headers)).json()["created_by"] is None
    listed = [
        s["id"] for s in (await client.get(API, params={"limit": 200}, headers=admin.headers)).json()["items"]
    ]
    assert private["id"] not in listed


class TestScenarioShellLimits:
    async def test_limits_are_stored_shown_and_cleared(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        created = await create_scenario_via_api(
            client, admin, name="Shell", tools=["Bash"], shell_limits={"memory_mb": 128, "max_processes": 16}
        )
        limits = created["shell_limits"]
        assert limits["memory_mb"] == 128 and limits["max_processes"] == 16 and limits["disk_mb"] is None
        response = await client.patch(
            f"{API}/{created['id']}", json={"shell_limits": {"disk_mb": 10}}, headers=admin.headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["shell_limits"]["disk_mb"] == 10, "replaced as a whole"
        assert response.json()["shell_limits"]["memory_mb"] is None
        response = await client.patch(
            f"{API}/{created['id']}", json={"shell_limits": {}}, headers=admin.headers
        )
        assert set(response.json()["shell_limits"].values()) == {None}
        plain = await create_scenario_via_api(client, admin, name="Plain")
        assert set(plain["shell_limits"].values()) == {None}

    async def test_a_scenario_may_only_tighten_the_servers_limits(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await client.post(
            API, json={"name": "Greedy", "shell_limits": {"memory_mb": 10**6}}, headers=admin.headers
        )
        assert response.status_code == 422 and response.json()["code"] == "shell_limit_too_high"
        assert "AGENT_SHELL_MEMORY_MB" in response.json()["message"]
        scenario = await create_scenario_via_api(client, admin, name="Fine")
        response = await client.patch(
            f"{API}/{scenario['id']}", json={"shell_limits": {"cpu_seconds": 10**6}}, headers=admin.headers
        )
        assert response.status_code == 422 and response.json()["code"] == "shell_limit_too_high"
        for bad in ({"memory_mb": 1}, {"max_processes": 0}, {"nice": 5}):
            response = await client.post(
                API, json={"name": "Bad", "shell_limits": bad}, headers=admin.headers
            )
            assert response.status_code == 422, bad
            assert response.json()["details"][0]["field"].startswith("shell_limits"), response.json()
