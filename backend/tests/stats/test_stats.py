"""The stats API against a hand-computed fixture: totals, by day, scenario and model, satisfaction, access."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from aigc.users.models import Role
from tests.factories import SignedIn, builtin_scenario_id, rate, record_turn, signed_in_user

API = "/api/v1/sessions/stats"
DAY1 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)
DAY3 = datetime(2026, 11, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
async def fixture_data(client: httpx.AsyncClient) -> dict[str, SignedIn]:
    """Alice: 2 sessions (report 2 turns on day 1, data 1 turn on day 2); Bob: 1 session, 1 turn on day 3."""
    alice = await signed_in_user(client, username="alice")
    bob = await signed_in_user(client, username="bob")
    admin = await signed_in_user(client, role=Role.admin, username="boss")
    report, data = await builtin_scenario_id("report-writer"), await builtin_scenario_id("data-helper")
    first = await record_turn(
        alice.user, scenario_id=report, input_tokens=100, output_tokens=50, cost_usd=0.10, when=DAY1
    )
    second = await record_turn(
        alice.user,
        scenario_id=report,
        session_id=first.session_id,
        input_tokens=200,
        output_tokens=80,
        cost_usd=0.20,
        when=DAY1,
    )
    third = await record_turn(
        alice.user,
        scenario_id=data,
        model="claude-haiku-4-5",
        input_tokens=10,
        output_tokens=5,
        cost_usd=0.01,
        when=DAY2,
    )
    fourth = await record_turn(
        bob.user, scenario_id=report, input_tokens=1, output_tokens=2, cost_usd=0.5, when=DAY3, status="error"
    )
    await rate(client, alice, first.assistant_message_id, "up")
    await rate(client, alice, second.assistant_message_id, "down")
    await rate(client, alice, third.assistant_message_id, "up")
    await rate(client, bob, fourth.assistant_message_id, "up")
    return {"alice": alice, "bob": bob, "admin": admin}


async def test_a_user_sees_only_their_own(
    client: httpx.AsyncClient, fixture_data: dict[str, SignedIn]
) -> None:
    alice = fixture_data["alice"]
    body = (await client.get(API, headers=alice.headers)).json()
    assert body["scope"] == "user" and body["user_id"] == str(alice.user.id)
    assert body["totals"] == {
        "sessions": 2,
        "messages": 6,
        "turns": 3,
        "errors": 0,
        "input_tokens": 310,
        "output_tokens": 135,
        "cost_usd": pytest.approx(0.31),
    }
    assert [(d["day"], d["sessions"], d["messages"]) for d in body["by_day"]] == [
        ("2026-11-01", 1, 4),
        ("2026-11-02", 1, 2),
    ]
    scenarios = {s["scenario_name"]: s for s in body["by_scenario"]}
    assert scenarios["报告撰写"]["messages"] == 4 and scenarios["报告撰写"]["satisfaction"] == 0.5
    assert scenarios["数据助手"]["satisfaction"] == 1.0 and scenarios["数据助手"][
        "cost_usd"
    ] == pytest.approx(0.01)
    models = {m["model"]: m for m in body["by_model"]}
    assert models["claude-sonnet-4-5"]["turns"] == 2 and models["claude-haiku-4-5"]["input_tokens"] == 10


async def test_admin_sees_everyone_filters_by_user_and_dates(
    client: httpx.AsyncClient, fixture_data: dict[str, SignedIn]
) -> None:
    admin, bob = fixture_data["admin"], fixture_data["bob"]
    everyone = (await client.get(API, headers=admin.headers)).json()
    assert (
        everyone["scope"] == "all"
        and everyone["totals"]["sessions"] == 3
        and everyone["totals"]["messages"] == 8
    )
    assert everyone["totals"]["errors"] == 1 and everyone["totals"]["cost_usd"] == pytest.approx(0.81)
    report = next(s for s in everyone["by_scenario"] if s["scenario_name"] == "报告撰写")
    assert (report["feedback_up"], report["feedback_down"], report["satisfaction"]) == (
        2,
        1,
        pytest.approx(0.6667, abs=1e-4),
    )

    only_bob = (await client.get(API, params={"user_id": str(bob.user.id)}, headers=admin.headers)).json()
    assert only_bob["totals"]["messages"] == 2 and only_bob["totals"]["cost_usd"] == pytest.approx(0.5)

    window = (
        await client.get(
            API, params={"date_from": "2026-11-02", "date_to": "2026-11-05"}, headers=admin.headers
        )
    ).json()
    assert [d["day"] for d in window["by_day"]] == ["2026-11-02", "2026-11-05"] and window["totals"][
        "messages"
    ] == 4


async def test_access_and_bad_input(client: httpx.AsyncClient, fixture_data: dict[str, SignedIn]) -> None:
    alice, bob = fixture_data["alice"], fixture_data["bob"]
    assert (await client.get(API)).status_code == 401
    assert (
        await client.get(API, params={"user_id": str(bob.user.id)}, headers=alice.headers)
    ).status_code == 403
    own = await client.get(API, params={"user_id": str(alice.user.id)}, headers=alice.headers)
    assert own.status_code == 200
    reversed_range = await client.get(
        API, params={"date_from": "2026-11-05", "date_to": "2026-11-01"}, headers=alice.headers
    )
    assert reversed_range.status_code == 422 and reversed_range.json()["code"] == "invalid_range"
    assert (
        await client.get(API, params={"date_from": "yesterday"}, headers=alice.headers)
    ).status_code == 422


async def test_a_real_turn_is_counted(client: httpx.AsyncClient, model) -> None:
    user = await signed_in_user(client)
    session_id = (await client.post("/api/v1/sessions", json={}, headers=user.headers)).json()["id"]
    await client.post(f"/api/v1/sessions/{session_id}/messages", json={"content": "Hi"}, headers=user.headers)
    totals = (await client.get(API, headers=user.headers)).json()["totals"]
    assert (
        totals["sessions"] == 1
        and totals["messages"] == 2
        and totals["turns"] == 1
        and totals["output_tokens"] > 0
    )
