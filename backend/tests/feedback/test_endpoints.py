"""Feedback on answers: one per user per message, editable and removable, with the aggregates following."""

from __future__ import annotations

import uuid

import httpx
from sqlmodel import select

from aigc.core.db import session_scope
from aigc.stats.models import UserBehaviorStats, UserScenarioStats
from tests.factories import builtin_scenario_id, rate, record_turn, signed_in_user

API = "/api/v1/messages"


async def behaviour(user_id: uuid.UUID) -> UserBehaviorStats:
    async with session_scope(write=False) as db:
        return (await db.exec(select(UserBehaviorStats).where(UserBehaviorStats.user_id == user_id))).one()


class TestPutFeedback:
    async def test_rate_change_and_remove(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        scenario = await builtin_scenario_id("report-writer")
        turn = await record_turn(user.user, scenario_id=scenario)
        body = await rate(
            client,
            user,
            turn.assistant_message_id,
            "down",
            score=2,
            tags=["too_long", "自定义", "too_long"],
            comment="Shorter please",
        )
        assert body["rating"] == "down" and body["score"] == 2 and body["tags"] == ["too_long", "自定义"]
        assert body["scenario_id"] == str(scenario) and body["session_id"] == str(turn.session_id)
        assert (await behaviour(user.user.id)).feedback_down == 1

        changed = await rate(client, user, turn.assistant_message_id, "up", score=5)
        assert changed["id"] == body["id"] and changed["rating"] == "up" and changed["tags"] == []
        stats = await behaviour(user.user.id)
        assert (stats.feedback_up, stats.feedback_down) == (1, 0)
        async with session_scope(write=False) as db:
            per_scenario = (await db.exec(select(UserScenarioStats))).one()
        assert (per_scenario.feedback_up, per_scenario.score_sum, per_scenario.score_count) == (1, 5, 1)

        detail = (await client.get(f"/api/v1/sessions/{turn.session_id}", headers=user.headers)).json()
        assert (
            detail["messages"][1]["feedback"]["rating"] == "up" and detail["messages"][0]["feedback"] is None
        )

        assert (await client.get(f"{API}/{turn.assistant_message_id}/feedback", headers=user.headers)).json()[
            "score"
        ] == 5
        assert (
            await client.delete(f"{API}/{turn.assistant_message_id}/feedback", headers=user.headers)
        ).status_code == 204
        assert (
            await client.get(f"{API}/{turn.assistant_message_id}/feedback", headers=user.headers)
        ).status_code == 404
        assert (await behaviour(user.user.id)).feedback_up == 0

    async def test_validation(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        turn = await record_turn(user.user)
        for body, field in (
            ({"rating": "meh"}, "rating"),
            ({"rating": "up", "score": 6}, "score"),
            ({"rating": "up", "tags": [f"t{i}" for i in range(11)]}, "tags"),
            ({"rating": "up", "comment": "x" * 2001}, "comment"),
        ):
            response = await client.put(
                f"{API}/{turn.assistant_message_id}/feedback", json=body, headers=user.headers
            )
            assert response.status_code == 422 and response.json()["details"][0]["field"] == field

    async def test_only_own_answers(self, client: httpx.AsyncClient) -> None:
        alice = await signed_in_user(client)
        bob = await signed_in_user(client)
        turn = await record_turn(alice.user)
        url = f"{API}/{turn.assistant_message_id}/feedback"
        assert (await client.put(url, json={"rating": "up"})).status_code == 401
        for method in ("PUT", "GET", "DELETE"):
            response = await client.request(
                method, url, json={"rating": "up"} if method == "PUT" else None, headers=bob.headers
            )
            assert response.status_code == 404, method
        own_question = await client.put(
            f"{API}/{turn.user_message_id}/feedback", json={"rating": "up"}, headers=alice.headers
        )
        assert own_question.status_code == 422 and own_question.json()["code"] == "not_an_answer"
        assert (
            await client.put(f"{API}/{uuid.uuid4()}/feedback", json={"rating": "up"}, headers=alice.headers)
        ).status_code == 404


async def test_fixed_tags_have_both_languages(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    tags = (await client.get("/api/v1/feedback/tags", headers=user.headers)).json()
    assert {t["key"] for t in tags} == {
        "too_long",
        "too_short",
        "wrong_format",
        "inaccurate",
        "off_topic",
        "helpful",
        "good_style",
    }
    assert all(t["labels"]["zh-CN"] and t["labels"]["en-US"] for t in tags)
