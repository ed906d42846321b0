"""Preference learning at scale: 10,000 users with 20 ratings each (statistical learner), then the unchanged re-run.

Target (SQLite, this 2-core machine): the unchanged re-run under 5 s.
Run: backend/.venv/bin/python bench/learning.py [--users 10000] [--per-user 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

from inprocess import migrate, run_with_fresh_database


ANSWERS = [
    "- one\n- two\n- three",
    "A long answer that goes on and on. " * 25,
    "Short 😀 reply",
    "| a | b |\n| 1 | 2 |",
]
TAGS = [["too_long"], ["helpful"], ["good_style"], ["wrong_format"], [], ["too_short"]]


async def seed(users: int, per_user: int) -> None:
    """Bulk rows: users, one session each, an answer and a rating per feedback item."""
    from aigc.core.db import get_engine
    from aigc.core.model_registry import metadata

    tables = metadata.tables
    rng = random.Random(7)
    now = datetime.now(UTC)
    engine = get_engine()
    batch_users = 500
    for start in range(0, users, batch_users):
        user_rows, session_rows, message_rows, feedback_rows = [], [], [], []
        for _ in range(min(batch_users, users - start)):
            user_id, session_id = uuid.uuid4(), uuid.uuid4()
            user_rows.append(
                {
                    "id": user_id,
                    "username": f"u{user_id.hex[:12]}",
                    "password_hash": "x",
                    "role": "user",
                    "is_active": True,
                    "token_version": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            session_rows.append(
                {
                    "id": session_id,
                    "user_id": user_id,
                    "scenario_name": "",
                    "title": "bench",
                    "message_count": 0,
                    "total_cost_usd": 0.0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for i in range(per_user):
                message_id = uuid.uuid4()
                when = now - timedelta(minutes=i)
                message_rows.append(
                    {
                        "id": message_id,
                        "session_id": session_id,
                        "user_id": user_id,
                        "role": "assistant",
                        "content": rng.choice(ANSWERS),
                        "status": "ok",
                        "input_tokens": 0,
                        "output_tokens": 0,
                        "cache_read_tokens": 0,
                        "cache_creation_tokens": 0,
                        "cost_usd": 0.0,
                        "duration_ms": 0,
                        "num_turns": 1,
                        "tool_calls": [],
                        "permission_denials": [],
                        "created_at": when,
                    }
                )
                feedback_rows.append(
                    {
                        "id": uuid.uuid4(),
                        "message_id": message_id,
                        "user_id": user_id,
                        "session_id": session_id,
                        "rating": rng.choice(["up", "down"]),
                        "score": None,
                        "tags": rng.choice(TAGS),
                        "comment": "",
                        "created_at": when,
                        "updated_at": when,
                    }
                )
        async with engine.begin() as conn:
            await conn.execute(tables["users"].insert(), user_rows)
            await conn.execute(tables["sessions"].insert(), session_rows)
            await conn.execute(tables["messages"].insert(), message_rows)
            await conn.execute(tables["message_feedback"].insert(), feedback_rows)


async def main(users: int, per_user: int) -> None:
    from aigc.core.config import get_settings
    from aigc.core.db import dispose_engine
    from aigc.preferences import jobs

    await migrate()
    started = time.perf_counter()
    await seed(users, per_user)
    seeded = time.perf_counter() - started
    settings = get_settings()
    started = time.perf_counter()
    first = await jobs.learn_preferences(settings, min_feedback_count=5, trigger="manual")
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = await jobs.learn_preferences(settings, min_feedback_count=5, trigger="manual")
    second_seconds = time.perf_counter() - started
    await dispose_engine()
    target = 5.0
    print(
        f"Preference learning, {users:,} users x {per_user} ratings ({users * per_user:,} feedback rows), SQLite"
    )
    print(f"  seeding:                       {seeded:7.2f} s")
    print(
        f"  first run (statistical):       {first_seconds:7.2f} s  learned {first.users_learned:,}, failed {first.users_failed}"
    )
    print(
        f"  unchanged re-run:              {second_seconds:7.2f} s  skipped {second.users_skipped:,}, learned {second.users_learned}"
    )
    print(f"  target: unchanged re-run < {target:.0f} s -> {'met' if second_seconds < target else 'NOT met'}")
    if second.users_learned or second_seconds >= target:
        sys.exit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--per-user", type=int, default=20)
    args = parser.parse_args()
    run_with_fresh_database(
        "aigc-bench-learning-", lambda: main(args.users, args.per_user), PREFERENCE_LEARNING_USE_MODEL="false"
    )
