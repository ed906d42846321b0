"""Scenario matching for first messages in Chinese and English, the fallback, the cache, and personal nudges."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.config import Settings
from aigc.migrations.seeds.scenarios_0002 import builtin_scenario_rows
from aigc.scenarios.matcher import rank, tokens
from aigc.scenarios.models import Scenario
from tests.factories import create_scenario_via_api, signed_in_user

API = "/api/v1/scenarios/match"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("为我们的新款保温杯写三条小红书文案", "marketing-copy"),
        ("帮我把销售数据整理成CSV表格", "data-helper"),
        ("写一份远程办公调研报告", "report-writer"),
        ("把这封邮件翻译成英文", "translator"),
        ("Write a quarterly report as HTML", "report-writer"),
        ("translate this paragraph into Chinese", "translator"),
        ("Give me a catchy tagline for our social media campaign", "marketing-copy"),
        ("Generate a spreadsheet of sample customers as CSV", "data-helper"),
    ],
)
async def test_ranks_the_right_scenario_first(client: httpx.AsyncClient, text: str, expected: str) -> None:
    user = await signed_in_user(client)
    body = (await client.post(API, json={"text": text}, headers=user.headers)).json()
    assert body["fallback"] is False
    top = body["items"][0]
    assert top["scenario"]["slug"] == expected and top["score"] > 0 and top["reason"].startswith("Matches")
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("text", ["你好", "今天天气怎么样", "hello there"])
async def test_nothing_relevant_falls_back_to_the_default(client: httpx.AsyncClient, text: str) -> None:
    user = await signed_in_user(client)
    body = (await client.post(API, json={"text": text}, headers=user.headers)).json()
    assert body["fallback"] is True and [i["scenario"]["slug"] for i in body["items"]] == [
        "general-assistant"
    ]


async def test_the_cache_is_dropped_when_scenarios_change(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    text = "plan a kayak trip itinerary"
    assert (await client.post(API, json={"text": text}, headers=user.headers)).json()["fallback"] is True
    created = await create_scenario_via_api(
        client, user, name="Trip planner", tags=["kayak", "itinerary", "trip"]
    )
    body = (await client.post(API, json={"text": text}, headers=user.headers)).json()
    assert body["fallback"] is False and body["items"][0]["scenario"]["id"] == created["id"]


async def test_a_change_made_by_another_process_is_seen_at_once(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    user = await signed_in_user(client)
    text = "plan a kayak trip itinerary"
    assert (await client.post(API, json={"text": text}, headers=user.headers)).json()["fallback"] is True
    # Another process (its own engine on the same database) edits a scenario; this one is never told.
    other_process = create_async_engine(settings.database_url)
    try:
        async with AsyncSession(other_process) as db:
            translator = (await db.exec(select(Scenario).where(Scenario.slug == "translator"))).one()
            translator.tags = [*translator.tags, "kayak", "itinerary", "trip"]
            db.add(translator)
            await db.commit()
    finally:
        await other_process.dispose()
    body = (await client.post(API, json={"text": text}, headers=user.headers)).json()
    assert body["fallback"] is False and body["items"][0]["scenario"]["slug"] == "translator"


async def test_other_users_private_scenarios_are_never_suggested(client: httpx.AsyncClient) -> None:
    alice = await signed_in_user(client)
    bob = await signed_in_user(client)
    await create_scenario_via_api(client, alice, name="Secret kayak planner", tags=["kayak"])
    body = (await client.post(API, json={"text": "kayak"}, headers=bob.headers)).json()
    assert body["fallback"] is True


async def test_validation(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    assert (await client.post(API, json={"text": ""}, headers=user.headers)).status_code == 422
    assert (await client.post(API, json={"text": "x", "limit": 0}, headers=user.headers)).status_code == 422
    assert (await client.post(API, json={"text": "x"})).status_code == 401


def test_history_and_ratings_break_ties() -> None:
    scenarios = [Scenario(**row) for row in builtin_scenario_rows()]
    report = next(s for s in scenarios if s.slug == "report-writer")
    data = next(s for s in scenarios if s.slug == "data-helper")
    text = "整理 数据 报告"
    neutral = {m.scenario.slug: m.score for m in rank(text, scenarios)}
    nudged = {
        m.scenario.slug: m.score
        for m in rank(
            text, scenarios, usage={data.id: 9, report.id: 1}, ratings={data.id: 1.0, report.id: -1.0}
        )
    }
    assert nudged["data-helper"] - neutral["data-helper"] > nudged["report-writer"] - neutral["report-writer"]
    assert rank("", scenarios) == [] and rank("anything", []) == []


def test_tokens_mix_words_and_chinese_bigrams() -> None:
    # "write" says nothing about the task (nearly every request has it): a stopword. Plurals fold.
    assert tokens("Write reports 撰写报告") == ["report", "撰写", "写报", "报告"]
    assert "我们" not in tokens("我们的报告")
