"""The stats endpoint over 1,000,000 messages: GET /api/v1/sessions/stats, for an admin (everyone) and one user.

Messages are bulk-inserted together with the usage_daily rollup the platform keeps current at each turn
(built here by INSERT ... SELECT ... GROUP BY over the messages, which gives the same rows), and the
rollup without the user that everyone's statistics read.
Target (SQLite, this 2-core machine): under 200 ms median.
Run: backend/.venv/bin/python bench/stats.py [--messages 1000000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from inprocess import migrate, run_with_fresh_database

USERS = 2000
DAYS = 90
MODELS = ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"]


async def seed(messages: int) -> tuple[uuid.UUID, uuid.UUID]:
    """Users, sessions across 90 days and five scenarios, and `messages` rows; returns (admin id, a user id)."""
    from sqlalchemy import select, text

    from aigc.core.config import get_settings
    from aigc.core.db import get_engine
    from aigc.core.model_registry import metadata
    from aigc.core.security import hash_password

    tables, engine, rng = metadata.tables, get_engine(), random.Random(11)
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    async with engine.begin() as conn:
        scenario_ids = [row[0] for row in (await conn.execute(select(tables["scenarios"].c.id))).all()]
        admin_id = uuid.uuid4()
        users = [
            {
                "id": admin_id,
                "username": "bench-admin",
                "password_hash": hash_password(get_settings(), "bench-password"),
                "role": "admin",
                "is_active": True,
                "token_version": 0,
                "created_at": now,
                "updated_at": now,
            }
        ]
        users += [
            {
                "id": uuid.uuid4(),
                "username": f"u{i}",
                "password_hash": "x",
                "role": "user",
                "is_active": True,
                "token_version": 0,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(USERS)
        ]
        await conn.execute(tables["users"].insert(), users)
    user_ids = [u["id"] for u in users[1:]]
    per_session = 20
    sessions_needed = messages // per_session
    batch = 2000
    for start in range(0, sessions_needed, batch):
        session_rows, message_rows = [], []
        for _ in range(min(batch, sessions_needed - start)):
            session_id, user_id = uuid.uuid4(), rng.choice(user_ids)
            scenario_id = rng.choice(scenario_ids)
            day = now - timedelta(days=rng.randrange(DAYS))
            session_rows.append(
                {
                    "id": session_id,
                    "user_id": user_id,
                    "scenario_id": scenario_id,
                    "scenario_name": "",
                    "title": "",
                    "message_count": per_session,
                    "total_cost_usd": 0.0,
                    "created_at": day,
                    "updated_at": day,
                }
            )
            for i in range(per_session):
                assistant = i % 2 == 1
                message_rows.append(
                    {
                        "id": uuid.uuid4(),
                        "session_id": session_id,
                        "user_id": user_id,
                        "scenario_id": scenario_id,
                        "role": "assistant" if assistant else "user",
                        "content": "x",
                        "status": "ok",
                        "model": rng.choice(MODELS) if assistant else None,
                        "input_tokens": 900 if assistant else 0,
                        "output_tokens": 300 if assistant else 0,
                        "cache_read_tokens": 0,
                        "cache_creation_tokens": 0,
                        "cost_usd": 0.004 if assistant else 0.0,
                        "duration_ms": 0,
                        "num_turns": 1,
                        "tool_calls": [],
                        "permission_denials": [],
                        "created_at": day + timedelta(seconds=i),
                    }
                )
        async with engine.begin() as conn:
            await conn.execute(tables["sessions"].insert(), session_rows)
            await conn.execute(tables["messages"].insert(), message_rows)
    async with engine.begin() as conn:
        # The rollup rows record_session_created / record_turn would have produced for these sessions and turns.
        await conn.execute(
            text("""
            INSERT INTO usage_daily (id, day, user_id, scenario_key, model, sessions, messages, turns, errors,
                                     input_tokens, output_tokens, cost_usd, feedback_up, feedback_down)
            SELECT lower(hex(randomblob(16))), day, user_id, scenario_key, model, 0, count(*), sum(is_answer), 0,
                   sum(input_tokens), sum(output_tokens), sum(cost_usd), 0, 0
            FROM (SELECT date(m.created_at) AS day, m.user_id AS user_id,
                         -- SQLite keeps UUIDs as 32 hex characters; the rollup key is the dashed form.
                         coalesce(substr(m.scenario_id,1,8)||'-'||substr(m.scenario_id,9,4)||'-'||
                                  substr(m.scenario_id,13,4)||'-'||substr(m.scenario_id,17,4)||'-'||
                                  substr(m.scenario_id,21), '') AS scenario_key,
                         coalesce(m.model, '') AS model, m.role = 'assistant' AS is_answer,
                         m.input_tokens, m.output_tokens, m.cost_usd
                  FROM messages m) GROUP BY day, user_id, scenario_key, model
        """)
        )
        await conn.execute(
            text("""
            INSERT INTO usage_daily_totals (id, day, scenario_key, model, sessions, messages, turns, errors,
                                            input_tokens, output_tokens, cost_usd, feedback_up, feedback_down)
            SELECT lower(hex(randomblob(16))), day, scenario_key, model, sum(sessions), sum(messages), sum(turns),
                   sum(errors), sum(input_tokens), sum(output_tokens), sum(cost_usd), 0, 0
            FROM usage_daily GROUP BY day, scenario_key, model
        """)
        )
    return admin_id, user_ids[0]


async def main(messages: int, repeat: int) -> None:
    import httpx
    from asgi_lifespan import LifespanManager
    from sqlalchemy import text

    from aigc.core.db import dispose_engine, get_engine
    from aigc.main import create_app

    await migrate()
    started = time.perf_counter()
    _, user_id = await seed(messages)
    seeded = time.perf_counter() - started
    async with get_engine().connect() as conn:
        total = (await conn.execute(text("SELECT count(*) FROM messages"))).scalar()
        rollup = (await conn.execute(text("SELECT count(*) FROM usage_daily"))).scalar()
    app = create_app(configure_logs=False)
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b") as client,
    ):
        login = await client.post(
            "/api/v1/auth/login", data={"username": "bench-admin", "password": "bench-password"}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        results = {}
        for label, params in (
            ("admin, everyone", {}),
            ("admin, one user", {"user_id": str(user_id)}),
            ("admin, last 30 days", {"date_from": str((datetime.now(UTC) - timedelta(days=30)).date())}),
        ):
            timings = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                response = await client.get("/api/v1/sessions/stats", params=params, headers=headers)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.text
            body = response.json()
            results[label] = (
                statistics.median(timings),
                sorted(timings)[int(len(timings) * 0.95) - 1],
                body["totals"]["messages"],
            )
    await dispose_engine()
    print(f"Stats endpoint over {total:,} messages ({rollup:,} rollup rows), SQLite, {repeat} requests each")
    print(f"  seeding: {seeded:.1f} s")
    print(f"  {'query':22} {'median ms':>10} {'p95 ms':>8} {'messages counted':>17}")
    for label, (median, p95, counted) in results.items():
        print(f"  {label:22} {median:10.1f} {p95:8.1f} {counted:17,}")
    worst = max(median for median, _, _ in results.values())
    print(f"  target: median < 200 ms -> {'met' if worst < 200 else 'NOT met'} (worst median {worst:.1f} ms)")
    if results["admin, everyone"][2] != total or worst >= 200:
        sys.exit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    run_with_fresh_database("aigc-bench-stats-", lambda: main(args.messages, args.repeat))
