"""Transcripts in the database (the SDK's SessionStore): what the SDK does with the store, and what it costs.

Runs the agent runtime in this process against the scripted model, on a temporary SQLite database
(or on PostgreSQL with --database-url). Sessions with and without the store alternate, so the machine's
load falls on both alike. Per session: a first turn, warm follow-ups, then the agent is released and its
local transcript deleted (store) or kept (no store), and one more turn resumes.
Target: the store adds no measurable time to a follow-up's first token (within the run's noise).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from common import load_note, ms, percentile, stamp, table, write_section

MODEL = "claude-sonnet-4-5"


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "--sessions", type=int, default=4, help="sessions per mode (default 4)"
    )
    p.add_argument(
        "--follow-ups",
        type=int,
        default=3,
        help="warm follow-ups per session (default 3)",
    )
    p.add_argument(
        "--database-url",
        help="e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/bench (emptied!)",
    )
    p.add_argument(
        "--write",
        action="store_true",
        help="refresh this benchmark's section of docs/performance.md",
    )
    return p.parse_args()


async def main(ns: argparse.Namespace, root: Path) -> int:
    from aigc.agent import AgentRuntime, RuntimeConfig, TurnRequest
    from aigc.agent.transcripts import project_key
    from aigc.core.db import dispose_engine
    from aigc.mock_model.testing import MockModelServer
    from aigc.sessions.transcripts import TranscriptStore

    class Recording(TranscriptStore):
        """The platform's store, with every call the SDK makes written down (name, subpath, entries, bytes, s)."""

        def __init__(self) -> None:
            self.calls: list[tuple[str, str, int, int, float]] = []
            self.types: list[list[str]] = []  # entry types of each append, in order

        async def _timed(
            self,
            name: str,
            key: Any,
            call: Callable[[], Awaitable[Any]],
            sent: Any = None,
        ) -> Any:
            started = time.perf_counter()
            result = await call()
            size = json.dumps(sent if sent is not None else result or []).__len__()
            n = len(sent) if sent is not None else len(result or [])
            sub = key.get("subpath", "") if isinstance(key, dict) else ""
            self.calls.append((name, sub, n, size, time.perf_counter() - started))
            return result

        async def append(self, key: Any, entries: list[Any]) -> None:
            self.types.append([str(e.get("type")) for e in entries])
            await self._timed(
                "append",
                key,
                lambda: super(Recording, self).append(key, entries),
                entries,
            )

        async def load(self, key: Any) -> Any:
            return await self._timed(
                "load", key, lambda: super(Recording, self).load(key)
            )

        async def list_sessions(self, project: str) -> Any:
            return await self._timed(
                "list_sessions",
                {},
                lambda: super(Recording, self).list_sessions(project),
            )

        async def list_subkeys(self, key: Any) -> Any:
            return await self._timed(
                "list_subkeys", key, lambda: super(Recording, self).list_subkeys(key)
            )

    store = Recording()
    rows: dict[str, dict[str, list[float]]] = {
        mode: {
            "first": [],
            "follow": [],
            "follow_done": [],
            "resume": [],
            "resume_done": [],
        }
        for mode in ("store", "local")
    }
    per_turn: list[list[tuple[str, str, int, int, float]]] = []
    resume_calls: list[list[tuple[str, str, int, int, float]]] = []
    facts: dict[str, Any] = {
        "resume_kept_id": True,
        "context_after_resume": True,
        "duplicates": 0,
    }
    with MockModelServer(chunk_delay=0.0) as model:

        def runtime(name: str, with_store: bool) -> AgentRuntime:
            config = RuntimeConfig(
                data_dir=root / name,
                api_key="sk-bench-not-a-key",
                base_url=model.url,
                max_concurrent_runs=2,
                idle_release=600,
            )
            return AgentRuntime(config, session_store=store if with_store else None)

        runtimes = {
            "store": runtime("with-store", True),
            "local": runtime("without", False),
        }

        async def turn(
            rt: AgentRuntime, key: str, prompt: str
        ) -> tuple[float, float, dict[str, Any]]:
            cwd = root / "work" / key
            started, first = time.perf_counter(), float("nan")
            done: dict[str, Any] = {}
            async for event in rt.run_turn(
                TurnRequest(session_key=key, cwd=cwd, prompt=prompt, model=MODEL)
            ):
                if event.type == "text_delta" and math.isnan(first):
                    first = time.perf_counter() - started
                if event.type == "done":
                    done = event.to_dict()
            if done.get("status") != "ok":
                raise RuntimeError(f"turn failed: {done}")
            return first, time.perf_counter() - started, done

        try:
            for i in range(ns.sessions):
                for mode in ("store", "local") if i % 2 == 0 else ("local", "store"):
                    rt, key = runtimes[mode], f"{mode}-{i}"
                    mark_types = len(store.types)
                    first, _, done = await turn(
                        rt, key, f"The code word is marmalade{i}."
                    )
                    if mode == "store":
                        facts["first_turn_types"] = store.types[mark_types:]
                    rows[mode]["first"].append(first)
                    sdk_session = done["sdk_session_id"]
                    for f in range(ns.follow_ups):
                        await asyncio.sleep(0.2)
                        mark = len(store.calls)
                        ttft, total, _ = await turn(
                            rt, key, f"Follow-up number {f}, please answer briefly."
                        )
                        rows[mode]["follow"].append(ttft)
                        rows[mode]["follow_done"].append(total)
                        if mode == "store":
                            per_turn.append(store.calls[mark:])
                            facts["follow_up_types"] = store.types[-1]
                    await rt.release(key)
                    if mode == "store":
                        projects = rt.environment.config_dir / "projects"
                        for path in projects.glob(f"*/{sdk_session}.jsonl"):
                            path.unlink()
                    await asyncio.sleep(0.2)
                    model.clear_requests()
                    mark = len(store.calls)
                    ttft, total, done = await turn(rt, key, "What was the code word?")
                    rows[mode]["resume"].append(ttft)
                    rows[mode]["resume_done"].append(total)
                    facts["context_after_resume"] &= f"marmalade{i}" in json.dumps(
                        model.requests()
                    )
                    if mode == "store":
                        resume_calls.append(store.calls[mark:])
                        facts["resume_kept_id"] &= done["sdk_session_id"] == sdk_session
                        loaded = await store.load(
                            {
                                "project_key": project_key(root / "work" / key),
                                "session_id": sdk_session,
                            }
                        )
                        uuids = [e["uuid"] for e in loaded or [] if "uuid" in e]
                        facts["duplicates"] += len(uuids) - len(set(uuids))
                    await rt.release(key)
        finally:
            for rt in runtimes.values():
                await rt.shutdown()
            await dispose_engine()

    def stats(values: list[float]) -> list[str]:
        return [
            str(len(values)),
            ms(statistics.median(values)),
            ms(percentile(values, 90)),
        ]

    labels = {
        "first": "first turn (process start)",
        "follow": "follow-up, first token",
        "follow_done": "follow-up, `done`",
        "resume": "resumed turn (released agent), first token",
        "resume_done": "resumed turn, `done`",
    }
    timing = table(
        ["ms", "n", "store median", "store p90", "local median", "local p90"],
        [
            [labels[k], *stats(rows["store"][k]), *stats(rows["local"][k])[1:]]
            for k in labels
        ],
    )
    appends = [c for calls in per_turn for c in calls if c[0] == "append"]
    shape = table(
        ["per warm follow-up turn", "median", "max"],
        [
            [
                "`append` calls",
                *_med_max(
                    [sum(1 for c in calls if c[0] == "append") for calls in per_turn]
                ),
            ],
            ["entries per `append`", *_med_max([c[2] for c in appends])],
            ["bytes per `append`", *_med_max([c[3] for c in appends])],
            ["ms per `append`", *_med_max([round(c[4] * 1000, 1) for c in appends])],
        ],
    )
    on_resume = sorted({f"{c[0]}" for calls in resume_calls for c in calls})
    loads = [c for calls in resume_calls for c in calls if c[0] == "load"]
    follow_delta = statistics.median(rows["store"]["follow"]) - statistics.median(
        rows["local"]["follow"]
    )
    report = f"""## Transcripts in the database (`bench/transcript_store.py`)

{stamp()}, {ns.sessions} sessions per mode, {ns.follow_ups} warm follow-ups each, modes interleaved; database:
{os.environ["DATABASE_URL"].split(":", 1)[0]}. {load_note()}

{timing}

{shape}

Store calls of a resumed turn: {", ".join(on_resume)}; `load` returned a median of
{_med_max([c[2] for c in loads])[0]} entries in {_med_max([round(c[4] * 1000, 1) for c in loads])[0]} ms.
Resume kept the agent's session id: {facts["resume_kept_id"]}; the earlier turns reached the model after
resume: {facts["context_after_resume"]}; duplicate uuids in the store: {facts["duplicates"]}.
Entries appended by a resumed turn (median): {_med_max([c[2] for calls in resume_calls for c in calls if c[0] == "append"])[0]}.
Entry types, first turn (one list per `append`): {facts.get("first_turn_types")}; a follow-up:
{facts.get("follow_up_types")}.
Follow-up first token, store minus local (medians): {follow_delta * 1000:+.0f} ms.
"""
    print(report)
    if ns.write:
        write_section("transcripts", report)
    return 0


def _med_max(values: list[float]) -> list[str]:
    if not values:
        return ["–", "–"]
    return [f"{statistics.median(values):g}", f"{max(values):g}"]


if __name__ == "__main__":
    ns = _args()
    root = Path(tempfile.mkdtemp(prefix="aigc-bench-transcripts-"))
    os.environ["DATABASE_URL"] = (
        ns.database_url or f"sqlite+aiosqlite:///{root / 'bench.db'}"
    )
    os.environ.update(
        {
            "DEBUG": "true",
            "JWT_SECRET_KEY": "bench-" + os.urandom(24).hex(),
            "DATA_DIR": str(root / "data"),
            "WORK_DIR": str(root / "work_dir"),
            "LOG_DIR": str(root / "logs"),
            "LOG_LEVEL": "WARNING",
        }
    )
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))
    from aigc.core.migrations import upgrade_database

    if ns.database_url:
        import asyncio as _a

        from sqlalchemy import text
        from sqlalchemy.ext.asyncio import create_async_engine

        async def _reset() -> None:
            engine = create_async_engine(ns.database_url)
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await engine.dispose()

        _a.run(_reset())
    upgrade_database()
    sys.exit(asyncio.run(main(ns, root)))
