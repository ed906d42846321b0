"""My preferences: see what was learned and from which ratings, edit, add, remove, pause, reset."""

from __future__ import annotations

import httpx

from aigc.core.config import get_settings
from aigc.preferences import jobs
from aigc.users.models import Role
from tests.factories import builtin_scenario_id, rate, record_turn, signed_in_user
from tests.preferences.test_learning_job import LONG, give_feedback

API = "/api/v1/me/preferences"


async def learned(client: httpx.AsyncClient):
    user = await signed_in_user(client)
    await give_feedback(client, user, 6)
    await jobs.learn_preferences(get_settings(), min_feedback_count=5, trigger="manual")
    return user


async def test_empty_profile(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    body = (await client.get(API, headers=user.headers)).json()
    assert body["items"] == [] and body["version"] == 0 and body["paused"] is False
    assert (await client.get(API)).status_code == 401


async def test_items_show_their_evidence(client: httpx.AsyncClient) -> None:
    user = await learned(client)
    body = (await client.get(API, headers=user.headers)).json()
    assert body["version"] == 1 and body["feedback_count"] == 6 and body["summary"]
    item = body["items"][0]
    assert item["source"] == "learned" and item["evidence"]
    assert {e["rating"] for e in item["evidence"]} <= {"up", "down"} and item["evidence"][0]["message_id"]


async def test_edit_add_remove_and_the_removal_sticks(client: httpx.AsyncClient) -> None:
    user = await learned(client)
    items = (await client.get(API, headers=user.headers)).json()["items"]
    kept, removed = items[0], items[1:]
    scenario = await builtin_scenario_id("report-writer")
    update = {
        "items": [
            {"id": kept["id"], "instruction": "Keep it under 100 words.", "scope": "all", "enabled": True},
            {"instruction": "Always answer in English.", "scope": str(scenario)},
        ]
    }
    body = (await client.put(API, json=update, headers=user.headers)).json()
    assert [(i["instruction"], i["source"]) for i in body["items"]] == [
        ("Keep it under 100 words.", "edited"),
        ("Always answer in English.", "user"),
    ]
    assert body["items"][1]["scenario_name"] == "报告撰写"

    turn = await record_turn(user.user, answer=LONG)  # new feedback: the next run learns again
    await rate(client, user, turn.assistant_message_id, "down", tags=["too_long"])
    run = await jobs.learn_preferences(get_settings(), min_feedback_count=5, trigger="manual")
    assert run.users_learned == 1
    after = (await client.get(API, headers=user.headers)).json()["items"]
    instructions = [i["instruction"] for i in after]
    assert "Keep it under 100 words." in instructions and "Always answer in English." in instructions
    assert not {i["instruction"] for i in removed} & set(instructions)


async def test_disabled_items_stay_out_of_the_prompt(client: httpx.AsyncClient) -> None:
    from aigc.core.db import session_scope
    from aigc.preferences import service

    user = await learned(client)
    items = (await client.get(API, headers=user.headers)).json()["items"]
    update = {
        "items": [
            {"id": i["id"], "instruction": i["instruction"], "scope": i["scope"], "enabled": False}
            for i in items
        ]
    }
    await client.put(API, json=update, headers=user.headers)
    async with session_scope(write=False) as db:
        assert await service.active_instructions(db, user.user.id, None) == ([], None)


async def test_pause_stops_learning_and_reset_forgets(client: httpx.AsyncClient) -> None:
    user = await learned(client)
    assert (await client.put(API, json={"paused": True}, headers=user.headers)).json()["paused"] is True
    turn = await record_turn(user.user, answer=LONG)
    await rate(client, user, turn.assistant_message_id, "down", tags=["too_long"])
    run = await jobs.learn_preferences(get_settings(), min_feedback_count=5, trigger="manual")
    assert run.users_considered == 0
    assert (await client.delete(API, headers=user.headers)).status_code == 204
    assert (await client.get(API, headers=user.headers)).json()["items"] == []


async def test_bad_updates(client: httpx.AsyncClient) -> None:
    user = await learned(client)
    bad_scope = await client.put(
        API, json={"items": [{"instruction": "Be nice", "scope": "nope"}]}, headers=user.headers
    )
    assert bad_scope.status_code == 422 and bad_scope.json()["code"] == "unknown_scope"
    unknown = await client.put(
        API, json={"items": [{"id": "nope", "instruction": "Be nice"}]}, headers=user.headers
    )
    assert unknown.status_code == 404
    short = await client.put(API, json={"items": [{"instruction": "x"}]}, headers=user.headers)
    assert short.status_code == 422


async def test_admin_sees_any_profile_users_do_not(client: httpx.AsyncClient) -> None:
    user = await learned(client)
    admin = await signed_in_user(client, role=Role.admin)
    other = await signed_in_user(client)
    url = f"/api/v1/users/{user.user.id}/preferences"
    assert (await client.get(url, headers=admin.headers)).json()["version"] == 1
    assert (await client.get(url, headers=other.headers)).status_code == 403
