"""`aigc serve` killed with SIGKILL while clients write: the SQLite file stays sound and keeps every write
a client was told had succeeded (a 201 received), and a new server starts on it and serves them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import time
import uuid

import httpx
from common import AIGC, API, Platform, signed_in_client  # bench/common.py

WRITERS = 24
KILL_AFTER_SECONDS = 2.5


async def _writer(
    client: httpx.AsyncClient, index: int, acknowledged: dict[str, set[str]], stop: asyncio.Event
) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        kind = "sessions" if n % 2 else "scenarios"
        body = {"title": f"w{index}-{n}"} if kind == "sessions" else {"name": f"Scenario {index}-{n}"}
        try:
            response = await client.post(f"{API}/{kind}", json=body)
        except httpx.HTTPError:
            return  # the server is gone
        if response.status_code == 201:
            acknowledged[kind].add(uuid.UUID(response.json()["id"]).hex)
        else:
            raise AssertionError(f"{kind}: {response.status_code} {response.text[:200]}")


def _stored_ids(db: str, table: str) -> set[str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return {uuid.UUID(str(row[0])).hex for row in conn.execute(f"SELECT id FROM {table}")}


def _restart(platform: Platform) -> None:
    """Start `aigc serve` again on the same folder and port, and wait until it answers."""
    log = open(platform.root / "server2.out", "wb")
    platform.server = subprocess.Popen(
        [str(AIGC), "serve", "--port", str(platform.port)],
        env=platform.env,
        cwd=platform.root,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    platform._wait_ready(f"{platform.url}{API}/health", platform.server)


async def test_sigkill_during_writes_keeps_every_acknowledged_write() -> None:
    platform = Platform(max_concurrent_runs=4)
    await asyncio.to_thread(platform.start)
    try:
        client = await signed_in_client(platform)
        acknowledged: dict[str, set[str]] = {"sessions": set(), "scenarios": set()}
        stop = asyncio.Event()
        writers = [asyncio.create_task(_writer(client, i, acknowledged, stop)) for i in range(WRITERS)]
        await asyncio.sleep(KILL_AFTER_SECONDS)
        before_kill = sum(len(ids) for ids in acknowledged.values())
        os.kill(platform.server_pid, signal.SIGKILL)
        await asyncio.to_thread(platform.server.wait, 10)
        stop.set()
        await asyncio.gather(*writers)
        await client.aclose()
        assert before_kill > 20, f"too few writes before the kill ({before_kill}) to prove anything"

        db = str(platform.root / "bench.db")
        with contextlib.closing(sqlite3.connect(db)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for table, ids in acknowledged.items():
            missing = ids - _stored_ids(db, table)
            assert not missing, f"{len(missing)} acknowledged {table} rows lost: {sorted(missing)[:5]}"

        # A new server starts on the crash-left files and serves what was acknowledged.
        started = time.monotonic()
        await asyncio.to_thread(_restart, platform)
        restart_seconds = time.monotonic() - started
        client = await signed_in_client(platform)
        listed = (await client.get(f"{API}/sessions", params={"limit": 200})).json()
        await client.aclose()
        served = {uuid.UUID(item["id"]).hex for item in listed["items"]}
        assert listed["count"] >= len(acknowledged["sessions"])
        assert acknowledged["sessions"] <= served or listed["count"] > 200
        print(
            f"\nSIGKILL after {KILL_AFTER_SECONDS} s of {WRITERS} writers: "
            f"{len(acknowledged['sessions'])} sessions + {len(acknowledged['scenarios'])} scenarios acknowledged, "
            f"all present; {listed['count']} sessions stored; integrity ok; restart {restart_seconds:.1f} s"
        )
    finally:
        await asyncio.to_thread(platform.stop)
