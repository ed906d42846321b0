"""The learning batch end to end: eligibility, the hash skip, both learners, one run per interval, the prompt."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import httpx
from sqlmodel import select

from aigc.core.config import get_settings, load_settings
from aigc.core.db import session_scope
from aigc.mock_model.testing import MockModelServer
from aigc.preferences import jobs
from aigc.preferences.models import UserPreferencesCache
from aigc.scheduler import lease
from aigc.scheduler.models import JobRun
from aigc.users.models import Role
from tests.factories import SignedIn, builtin_scenario_id, rate, record_turn, signed_in_user

LONG = "This answer goes on and on about many things. " * 30


async def give_feedback(client: httpx.AsyncClient, user: SignedIn, count: int = 6) -> list[dict]:
    """Down-votes of long answers tagged too_long, and up-votes of short bullet answers."""
    scenario = await builtin_scenario_id("general-assistant")
    given = []
    for i in range(count):
        disliked = i % 2 == 0
        turn = await record_turn(
            user.user, scenario_id=scenario, answer=LONG if disliked else "- a\n- b\n- c"
        )
        given.append(
            await rate(
                client,
                user,
                turn.assistant_message_id,
                "down" if disliked else "up",
                tags=["too_long"] if disliked else ["helpful"],
            )
        )
    return given


async def cache_of(user: SignedIn) -> UserPreferencesCache | None:
    async with session_scope(write=False) as db:
        return await db.get(UserPreferencesCache, user.user.id)


async def test_statistical_learning_then_the_unchanged_rerun_skips(client: httpx.AsyncClient) -> None:
    learner_user = await signed_in_user(client)
    too_few = await signed_in_user(client)
    await give_feedback(client, learner_user, 6)
    await give_feedback(client, too_few, 2)

    run = await jobs.learn_preferences(get_settings(), min_feedback_count=5, trigger="manual")
    assert run.status == "ok" and (run.users_considered, run.users_learned, run.users_skipped) == (1, 1, 0)
    cache = await cache_of(learner_user)
    assert (
        cache is not None
        and cache.version == 1
        and cache.feedback_count == 6
        and cache.model_used == "statistical"
    )
    assert any("concise" in item.instruction for item in cache.profile)
    assert await cache_of(too_few) is None

    again = await jobs.learn_preferences(get_settings(), min_feedback_count=5, trigger="manual")
    assert (again.users_learned, again.users_skipped) == (0, 1)
    assert (await cache_of(learner_user)).version == 1

    turn = await record_turn(learner_user.user, answer=LONG)
    await rate(client, learner_user, turn.assistant_message_id, "down", tags=["too_long"])
    third = await jobs.learn_preferences(get_settings(), min_feedback_count=5, trigger="manual")
    assert third.users_learned == 1 and (await cache_of(learner_user)).version == 2

    lowered = await jobs.learn_preferences(get_settings(), min_feedback_count=2, trigger="manual")
    assert lowered.users_considered == 2 and lowered.users_learned == 1


async def test_model_learner_with_the_scripted_model(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    given = await give_feedback(client, user, 6)
    reply = {
        "items": [
            {
                "instruction": "Writes formal Chinese",
                "instruction_zh": "使用正式的中文",
                "scope": "all",
                "confidence": 0.9,
                "evidence": [given[0]["id"], given[2]["id"]],
            }
        ],
        "summary": "Formal.",
    }
    model.set_script(
        {"rules": [{"name": "learn", "system": "aigc-preference-learning", "steps": [json.dumps(reply)]}]}
    )
    settings = load_settings(preference_learning_use_model=True)

    run = await jobs.learn_preferences(settings, min_feedback_count=5, trigger="manual")
    assert run.users_learned == 1
    cache = await cache_of(user)
    assert cache.model_used == settings.resolve_model("haiku") and cache.summary == "Formal."
    assert [item.instruction for item in cache.profile] == ["Writes formal Chinese"]
    sent = model.requests()[-1]
    assert "aigc-preference-learning" in json.dumps(sent["system"]) and given[0]["id"] in json.dumps(
        sent["messages"]
    )


async def test_invalid_model_reply_falls_back_to_statistics(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    await give_feedback(client, user, 6)
    # No matching rule: the scripted model answers with friendly prose, which is not a profile.
    run = await jobs.learn_preferences(
        load_settings(preference_learning_use_model=True), min_feedback_count=5, trigger="manual"
    )
    assert run.users_learned == 1
    cache = await cache_of(user)
    assert cache.model_used == "statistical" and cache.profile


async def test_unreachable_model_falls_back_to_statistics(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    await give_feedback(client, user, 6)
    settings = load_settings(
        preference_learning_use_model=True,
        anthropic_base_url="http://127.0.0.1:9",
        preference_learning_timeout_seconds=2,
    )
    run = await jobs.learn_preferences(settings, min_feedback_count=5, trigger="manual")
    assert run.users_learned == 1 and (await cache_of(user)).model_used == "statistical"


async def test_two_schedulers_on_one_database_run_once(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    await give_feedback(client, user, 5)
    settings = get_settings()
    results = await asyncio.gather(
        *(
            jobs.learn_preferences(settings, min_feedback_count=5, trigger="schedule", holder=f"process-{i}")
            for i in range(4)
        )
    )
    assert sum(r is not None for r in results) == 1
    assert (
        await jobs.learn_preferences(settings, min_feedback_count=5, trigger="schedule", holder="late")
        is None
    )
    async with session_scope(write=False) as db:
        runs = (await db.exec(select(JobRun))).all()
    assert len(runs) == 1 and runs[0].trigger == "schedule"
    # An administrator can still run it by hand within the interval.
    assert (await jobs.learn_preferences(settings, min_feedback_count=5, trigger="manual")).status == "ok"


async def test_a_run_in_progress_blocks_another(client: httpx.AsyncClient) -> None:
    assert await lease.try_acquire(
        jobs.JOB_NAME, "someone-else", scheduled=False, interval=timedelta(hours=1)
    )
    admin = await signed_in_user(client, role=Role.admin)
    try:
        response = await client.post("/api/v1/platform/cron/batch-learn-preferences", headers=admin.headers)
        assert response.status_code == 409 and response.json()["code"] == "job_running"
    finally:
        await lease.release(jobs.JOB_NAME, "someone-else")
    assert (
        await client.post("/api/v1/platform/cron/batch-learn-preferences", headers=admin.headers)
    ).status_code == 200


async def test_learned_preferences_reach_the_next_session(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    await give_feedback(client, user, 6)
    await jobs.learn_preferences(get_settings(), min_feedback_count=5, trigger="manual")
    cache = await cache_of(user)
    instruction = next(item.instruction for item in cache.profile if item.enabled)

    session_id = (await client.post("/api/v1/sessions", json={}, headers=user.headers)).json()["id"]
    await client.post(f"/api/v1/sessions/{session_id}/messages", json={"content": "Hi"}, headers=user.headers)
    system = json.dumps(model.requests()[-1]["system"], ensure_ascii=False)
    assert "Learned preferences of this user" in system and instruction in system
    reply = (await client.get(f"/api/v1/sessions/{session_id}", headers=user.headers)).json()["messages"][1]
    assert reply["preference_version"] == cache.version


class TestTriggerEndpoint:
    URL = "/api/v1/platform/cron/batch-learn-preferences"

    async def test_anonymous_forbidden_and_bad_parameter(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        admin = await signed_in_user(client, role=Role.admin)
        assert (await client.post(self.URL)).status_code == 401
        assert (await client.post(self.URL, headers=user.headers)).status_code == 403
        for value in ("0", "abc", "-3"):
            response = await client.post(
                self.URL, params={"min_feedback_count": value}, headers=admin.headers
            )
            assert response.status_code == 422 and "min_feedback_count" in response.json()["message"]

    async def test_admin_runs_it_and_sees_it_in_the_job_list(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        user = await signed_in_user(client)
        await give_feedback(client, user, 5)
        response = await client.post(self.URL, params={"min_feedback_count": 5}, headers=admin.headers)
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok" and body["users_learned"] == 1 and body["trigger"] == "manual"
        assert body["parameters"] == {"min_feedback_count": 5}
        listed = (await client.get("/api/v1/platform/cron/jobs", headers=admin.headers)).json()
        assert listed[0]["id"] == "learn-preferences" and listed[0]["interval_seconds"] == 3600
        assert listed[0]["recent_runs"][0]["id"] == body["id"]
        assert (await client.get("/api/v1/platform/cron/jobs", headers=user.headers)).status_code == 403


async def test_the_scheduler_starts_with_the_app_and_registers_the_job() -> None:
    from aigc.scheduler.scheduler import PlatformScheduler

    scheduler = PlatformScheduler(
        load_settings(scheduler_enabled=True, preference_learning_interval_minutes=60)
    )
    scheduler.start()
    try:
        assert scheduler.state == "ok" and scheduler.intervals() == {"learn-preferences": 3600}
        next_run = scheduler.next_run("learn-preferences")
        assert next_run is not None
    finally:
        scheduler.shutdown()
    await asyncio.sleep(0)
    assert PlatformScheduler(load_settings(scheduler_enabled=False)).state == "disabled"
