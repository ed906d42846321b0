"""Many sessions streaming at once: every turn must end `ok`, with no error event and every file saved.

Two rounds over the same sessions: first turns sent all at once (every agent process starts at the same
time), then follow-ups sent all at once (warm agents). Each reply streams in many chunks at the demo model's
pace, and every fourth turn also writes a file with the Write tool, which must come back as an artifact.
Exit code 1 when any turn failed.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from dataclasses import dataclass

import httpx
from common import (
    LONG_REPLY,
    Platform,
    Turn,
    bench_script,
    load_note,
    ms,
    new_session,
    parser,
    percentile,
    run,
    send_turn,
    set_script,
    signed_in_client,
    stamp,
    table,
    write_section,
)

WRITE_EVERY = 4


@dataclass
class Round:
    name: str
    wall: float
    turns: list[Turn]
    writes: list[bool]
    problems: list[str]


def _check(turn: Turn, writes: bool) -> str | None:
    """What is wrong with a finished turn, or None."""
    if not turn.ok:
        return f"status {turn.status}: {turn.error}"
    if turn.first_text is None or not turn.text:
        return "no text streamed"
    if writes and (turn.tools < 1 or turn.artifacts != 1):
        return (
            f"expected one Write and one artifact, got {turn.tools} tool calls and {turn.artifacts} artifacts"
        )
    return None


async def _round(client: httpx.AsyncClient, name: str, sessions: list[str], prompt: str) -> Round:
    writes = [i % WRITE_EVERY == 0 for i in range(len(sessions))]
    contents = [
        f"bench write {prompt}{i}" if w else f"{prompt} {i}: tell me something" for i, w in enumerate(writes)
    ]
    start = time.perf_counter()
    turns = await asyncio.gather(*(send_turn(client, s, c) for s, c in zip(sessions, contents, strict=True)))
    wall = time.perf_counter() - start
    problems = [
        f"{name} turn {i}: {p}"
        for i, (t, w) in enumerate(zip(turns, writes, strict=True))
        if (p := _check(t, w))
    ]
    # What the browser saw must also be what was saved.
    for i, session_id in enumerate(sessions):
        response = await client.get(f"/api/v1/sessions/{session_id}")
        messages = response.json().get("messages") or [] if response.status_code == 200 else []
        if not messages:
            problems.append(f"{name} turn {i}: nothing saved (HTTP {response.status_code})")
            continue
        last = messages[-1]
        if last["status"] != "ok" or last["content"] != turns[i].text:
            same = "same" if last["content"] == turns[i].text else "differs"
            problems.append(f"{name} turn {i}: saved as {last['status']!r}, content {same}")
    print(f"{name}: {len(turns)} turns in {wall:.1f} s, {len(problems)} problems", flush=True)
    return Round(name, wall, list(turns), writes, problems)


def _rows(r: Round) -> list[str]:
    total = [t.total for t in r.turns]
    first = [t.first_text for t in r.turns if t.first_text is not None] or [float("nan")]
    chunks = statistics.median(t.kinds.count("text_delta") for t in r.turns)
    queued = sum(1 for t in r.turns if "queued" in t.kinds)
    return [
        r.name,
        str(len(r.turns)),
        f"{r.wall:.2f}",
        ms(statistics.median(total)),
        ms(percentile(total, 95)),
        ms(max(total)),
        ms(statistics.median(first)),
        ms(percentile(first, 95)),
        f"{chunks:.0f}",
        str(sum(r.writes)),
        str(queued),
        str(len(r.problems)),
    ]


async def measure(p: Platform, count: int, write: bool) -> int:
    load = load_note()
    client = await signed_in_client(p)
    try:
        await set_script(client, p.mock_url, bench_script(LONG_REPLY))
        sessions = [await new_session(client) for _ in range(count)]
        rounds = [
            await _round(client, "first turns (agents start)", sessions, "first"),
            await _round(client, "follow-ups (warm agents)", sessions, "again"),
        ]
    finally:
        await client.aclose()

    figures = table(
        [
            "round",
            "turns",
            "wall s",
            "turn median ms",
            "turn p95 ms",
            "turn max ms",
            "first token median ms",
            "first token p95 ms",
            "text chunks per turn",
            "with Write",
            "queued",
            "failed",
        ],
        [_rows(r) for r in rounds],
    )
    problems = [p for r in rounds for p in r.problems]
    verdict = (
        f"**Target (all {count} concurrent turns end `ok` with no error, files saved): "
        f"{'met' if not problems else 'NOT met'}**"
        + ("" if not problems else " —\n" + "\n".join(f"- {x}" for x in problems[:20]))
    )
    report = f"""## Concurrent sessions (`bench/concurrency.py`)

{stamp()}; {load}; `AGENT_MAX_CONCURRENT_RUNS={p.max_concurrent_runs}`. {count} sessions,
each sent a message at the same moment (one HTTP request each, SSE read to the end), first while no agent was
running, then again with every agent warm. The scripted model pauses {p.chunk_delay * 1000:.0f} ms between
chunks (the offline demo's pace) so the streams overlap; every {WRITE_EVERY}th turn writes a file with the Write
tool and must produce one artifact. A turn is failed when it does not end `ok`, streams an `error` event,
streams no text, misses its artifact, or is saved differently from what was streamed. Latency runs from
sending the request to the `done` event.

{figures}

{verdict}
"""
    print(report)
    if write:
        write_section("concurrency", report)
    return 1 if problems else 0


def main() -> int:
    args = parser(__doc__.split("\n")[0])
    args.add_argument("--sessions", type=int, default=20, help="concurrent sessions (default 20)")
    args.add_argument(
        "--chunk-delay", type=float, default=0.03, help="model pause between chunks in s (default 0.03)"
    )
    ns = args.parse_args()
    return run(
        lambda p: measure(p, ns.sessions, ns.write),
        keep=ns.keep,
        max_concurrent_runs=ns.sessions,
        chunk_delay=ns.chunk_delay,
    )


if __name__ == "__main__":
    sys.exit(main())
