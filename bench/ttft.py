"""Time to first token through the platform versus straight from the model server.

For each session: a first turn (the agent process starts), then follow-up turns (the warm agent answers).
After every platform turn, the exact request body the agent sent to the scripted model is replayed
straight to the model, so "direct" is the same reply for the same prompt with nothing in between.
Target: a follow-up turn adds at most 50 ms (median) to the first token.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from typing import Any

import httpx
from common import (
    Platform,
    Turn,
    bench_script,
    direct_first_delta,
    load_note,
    model_requests,
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

TARGET_FOLLOW_UP_OVERHEAD = 0.050
MODEL = "claude-sonnet-4-5"  # what the default scenario's `sonnet` resolves to
SETTLE = 0.3  # seconds between measurements, so the previous turn's tail does not land in the next one


def _conversation_request(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The agent's main request of the turn (side requests carry no tools)."""
    main = [r for r in records if r["body"].get("tools")]
    if not main:
        raise RuntimeError(f"the agent sent no conversation request ({len(records)} requests)")
    return main[-1]


async def _measured_turn(
    client: httpx.AsyncClient, p: Platform, session_id: str, prompt: str
) -> tuple[Turn, float, int]:
    """One platform turn, then the same model request straight to the model: (turn, direct TTFT, model requests)."""
    await model_requests(client, p.mock_url)  # forget earlier requests
    await asyncio.sleep(SETTLE)
    turn = await send_turn(client, session_id, prompt)
    if not turn.ok or turn.first_text is None:
        raise RuntimeError(f"turn failed: {turn.status} {turn.error}\n{p.tail()}")
    records = await model_requests(client, p.mock_url)
    request = _conversation_request(records)
    # Where the model request falls on the turn's clock: what happened before it is platform and CLI work.
    turn.at["model request"] = request["received_at"] - turn.sent_at
    await asyncio.sleep(SETTLE)
    direct = await direct_first_delta(client, p.mock_url, request["body"])
    return turn, direct, len(records)


async def runtime_alone(p: Platform, sessions: int, follow_ups: int) -> tuple[list[float], list[float]]:
    """The same turns through the platform's AgentRuntime in this process: agent CLI and SDK, no HTTP, no database.

    The floor the platform's web layer adds to; the difference to the platform figures is HTTP, auth, the
    database and the SSE stream.
    """
    from aigc.agent import events
    from aigc.agent.options import TurnRequest
    from aigc.agent.runtime import AgentRuntime, RuntimeConfig

    runtime = AgentRuntime(RuntimeConfig(data_dir=p.root / "alone", api_key="demo", base_url=p.mock_url))
    first: list[float] = []
    later: list[float] = []
    try:
        for s in range(sessions + 1):  # session 0 warms up, like the platform's warm-up turn
            request = {"session_key": f"alone-{s}", "cwd": p.root / "alone" / "work" / str(s), "model": MODEL}
            for f in range(follow_ups + 1):
                await asyncio.sleep(SETTLE)
                start, at, error = time.perf_counter(), None, None
                async for event in runtime.run_turn(TurnRequest(prompt=f"Alone {s}.{f}: hello", **request)):
                    if at is None and isinstance(event, events.TextDelta):
                        at = time.perf_counter() - start
                    error = event.message if isinstance(event, events.Error) else error
                if error is not None:
                    raise RuntimeError(f"runtime turn failed: {error}")
                if s > 0 and at is not None:
                    (later if f else first).append(at)
                if s == 0:
                    break
    finally:
        await runtime.shutdown()
    return first, later


def _row(name: str, values: list[float]) -> list[str]:
    return [
        name,
        str(len(values)),
        ms(statistics.median(values)),
        ms(percentile(values, 90)),
        ms(min(values)),
        ms(max(values)),
    ]


async def measure(p: Platform, sessions: int, follow_ups: int, write: bool) -> int:
    load = load_note()
    client = await signed_in_client(p)
    try:
        await set_script(client, p.mock_url, bench_script())
        # The server's very first turn also pays one-off costs (imports, the agent wrapper, SQLite caches).
        warmup = await send_turn(client, await new_session(client), "warm up")
        if not warmup.ok:
            raise RuntimeError(f"warm-up turn failed: {warmup.error}\n{p.tail()}")
        first: list[tuple[Turn, float, int]] = []
        later: list[tuple[Turn, float, int]] = []
        for s in range(sessions):
            session_id = await new_session(client)
            first.append(await _measured_turn(client, p, session_id, f"Session {s}: hello, what can you do?"))
            for f in range(follow_ups):
                later.append(await _measured_turn(client, p, session_id, f"Follow-up {f}: tell me more."))
                print(".", end="", flush=True)
        print()
    finally:
        await client.aclose()
    alone_first, alone_later = await runtime_alone(p, sessions, follow_ups)

    if any(t.warm for t, _, _ in first) or not all(t.warm for t, _, _ in later):
        print("warning: a first turn reused an agent or a follow-up started a new one", file=sys.stderr)

    def ttft(rows: list[tuple[Turn, float, int]]) -> list[float]:
        return [t.first_text or 0.0 for t, _, _ in rows]

    def direct(rows: list[tuple[Turn, float, int]]) -> list[float]:
        return [d for _, d, _ in rows]

    def overhead(rows: list[tuple[Turn, float, int]]) -> list[float]:
        return [(t.first_text or 0.0) - d for t, d, _ in rows]

    def stage(rows: list[tuple[Turn, float, int]], kind: str) -> list[float]:
        return [t.at[kind] for t, _, _ in rows]

    main = table(
        ["time to first token (ms)", "n", "median", "p90", "min", "max"],
        [
            _row("first turn, platform", ttft(first)),
            _row("first turn, model direct", direct(first)),
            _row("first turn, overhead", overhead(first)),
            _row("first turn, agent runtime alone", alone_first),
            _row("follow-up, platform", ttft(later)),
            _row("follow-up, model direct", direct(later)),
            _row("follow-up, overhead", overhead(later)),
            _row("follow-up, agent runtime alone", alone_later),
        ],
    )
    stages = table(
        ["follow-up: event reached the client (ms)", "n", "median", "p90", "min", "max"],
        [
            _row("`accepted` (HTTP, auth, message saved)", stage(later, "accepted")),
            _row("`started` (agent slot taken)", stage(later, "started")),
            _row("model request reached the scripted model", stage(later, "model request")),
            _row("first `text_delta`", stage(later, "text_delta")),
            _row("`done` (turn saved)", stage(later, "done")),
        ],
    )

    def medians(rows: list[tuple[Turn, float, int]]) -> list[str]:
        kinds = ("accepted", "model request", "text_delta")
        return [ms(statistics.median(stage(rows, kind))) for kind in kinds]

    by_index = table(
        [
            "median ms by follow-up number",
            "n",
            "`accepted`",
            "model request",
            "first `text_delta`",
            "runtime alone",
        ],
        [
            [
                f"follow-up {i + 1}",
                str(len(later[i::follow_ups])),
                *medians(later[i::follow_ups]),
                ms(statistics.median(alone_later[i::follow_ups])),
            ]
            for i in range(follow_ups)
        ],
    )
    follow_overhead = statistics.median(ttft(later)) - statistics.median(direct(later))
    met = follow_overhead <= TARGET_FOLLOW_UP_OVERHEAD
    requests = sorted({n for _, _, n in first + later})
    verdict = (
        f"**Target (a follow-up adds at most 50 ms to the first token, median): "
        f"{'met' if met else 'NOT met'}** — median platform {ms(statistics.median(ttft(later)))} ms "
        f"− median direct {ms(statistics.median(direct(later)))} ms = {ms(follow_overhead)} ms."
    )
    report = f"""## Time to first token (`bench/ttft.py`)

{stamp()}; {sessions} sessions × (1 first turn + {follow_ups} follow-ups) after one warm-up turn; {load}.
A fixed scripted reply with no pause between chunks. *Platform*: from sending `POST /sessions/{{id}}/messages`
to the first `text_delta` event read from the SSE stream. *Model direct*: the same request body the agent sent
for that turn (taken from the scripted model's request log), replayed as a streaming `POST /v1/messages` to
the model, to the first `content_block_delta`. *Overhead*: platform − direct for each turn. *Agent runtime
alone*: the same number of turns through the platform's `AgentRuntime` inside the benchmark process (agent
CLI and SDK, no HTTP, no database, a one-line system prompt), to the first `TextDelta`: the floor the web
layer adds to. Model requests per turn: {", ".join(map(str, requests))}. Server's very first turn (not
counted): {ms(warmup.first_text or 0.0)} ms.

{main}

{stages}

{by_index}

{verdict}
"""
    print(report)
    if write:
        write_section("ttft", report)
    return 0 if met else 1


def main() -> int:
    args = parser(__doc__.split("\n")[0])
    args.add_argument(
        "--sessions", type=int, default=5, help="sessions, each with one first turn (default 5)"
    )
    args.add_argument("--follow-ups", type=int, default=3, help="follow-up turns per session (default 3)")
    ns = args.parse_args()
    return run(lambda p: measure(p, ns.sessions, ns.follow_ups, ns.write), keep=ns.keep, chunk_delay=0.0)


if __name__ == "__main__":
    sys.exit(main())
