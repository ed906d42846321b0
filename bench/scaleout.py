"""Scale-out against the single process, on one machine in one run.

1. Follow-up first token: the embedded platform and a scaled-out one (1 replica, 1 worker, Redis, Celery)
   run side by side; their follow-up turns alternate, so both see the same machine. Target: scaled out adds
   at most 15 ms (median) over embedded: the queue hop and the Redis stream must stay cheap.
2. Throughput: turns per second with 1 and with 2 workers, many sessions sending at once.
3. Cold resume: a follow-up on a worker that never saw the session (the warm worker was stopped), against
   a warm follow-up.
4. Memory of one worker (its process and its agents, PSS) at 0, 10 and N warm sessions.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

import httpx
from common import (
    Platform,
    bench_script,
    descendants,
    load_note,
    memory_of,
    mib,
    ms,
    new_session,
    parser,
    send_turn,
    set_script,
    signed_in_client,
    stamp,
    table,
    write_section,
)
from topology import ScaledPlatform

TARGET_OVERHEAD = 0.015
SETTLE = 0.3


async def _client(url: str, password: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=url, timeout=httpx.Timeout(180.0))
    response = await client.post("/api/v1/auth/login", data={"username": "bench", "password": password})
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


async def _first_text(client: httpx.AsyncClient, session_id: str, prompt: str) -> float:
    turn = await send_turn(client, session_id, prompt)
    if not turn.ok or turn.first_text is None:
        raise RuntimeError(f"turn failed: {turn.status} {turn.error}")
    return turn.first_text


async def follow_up_ttft(embedded: Platform, scaled: ScaledPlatform, sessions: int, turns: int) -> list[str]:
    plain = await signed_in_client(embedded)
    hop = await _client(scaled.url, scaled.password)
    await set_script(plain, embedded.mock_url, bench_script())
    await set_script(hop, scaled.mock_url, bench_script())
    times: dict[str, list[float]] = {"embedded": [], "scaled out": []}
    for _ in range(sessions):
        pair = {"embedded": (plain, await new_session(plain)), "scaled out": (hop, await new_session(hop))}
        for client, sid in pair.values():
            await _first_text(client, sid, "hello")  # the first turn starts the agent
        for n in range(turns):
            order = list(pair.items()) if n % 2 == 0 else list(reversed(pair.items()))
            for name, (client, sid) in order:
                await asyncio.sleep(SETTLE)
                times[name].append(await _first_text(client, sid, f"follow-up {n}"))
    await plain.aclose()
    await hop.aclose()
    medians = {name: statistics.median(values) for name, values in times.items()}
    overhead = medians["scaled out"] - medians["embedded"]
    verdict = "meets" if overhead <= TARGET_OVERHEAD else "misses"
    rows = [(name, len(v), ms(statistics.median(v)), ms(min(v)), ms(max(v))) for name, v in times.items()]
    return [
        "Follow-up, first text over HTTP (same model, same machine, turns alternating):",
        "",
        table(("mode", "turns", "median", "min", "max"), rows),
        "",
        f"Scaled out adds {ms(overhead)} at the median ({verdict} the +{ms(TARGET_OVERHEAD)} target).",
    ]


async def throughput(workers: int, sessions: int, turns: int, database_url: str | None) -> float:
    with ScaledPlatform(web=1, workers=workers, worker_concurrency=8, database_url=database_url) as p:
        client = await _client(p.url, p.password)
        await set_script(client, p.mock_url, bench_script())
        ids = [await new_session(client) for _ in range(sessions)]

        async def chat(sid: str) -> int:
            done = 0
            for n in range(turns):
                turn = await send_turn(client, sid, f"turn {n}")
                done += turn.ok
            return done

        await asyncio.gather(*(_first_text(client, sid, "hello") for sid in ids))
        started = time.perf_counter()
        finished = sum(await asyncio.gather(*(chat(sid) for sid in ids)))
        elapsed = time.perf_counter() - started
        await client.aclose()
        return finished / elapsed


async def cold_resume(database_url: str | None, sessions: int) -> list[str]:
    """Warm follow-ups, then the same sessions' next turn after their worker was killed (resumed elsewhere)."""
    from redis.asyncio import Redis

    warm_times, cold_times = [], []
    with ScaledPlatform(web=1, workers=2, database_url=database_url) as p:
        client = await _client(p.url, p.password)
        await set_script(client, p.mock_url, bench_script())
        for _ in range(sessions):
            sid = await new_session(client)
            await _first_text(client, sid, "hello")
            await asyncio.sleep(SETTLE)
            warm_times.append(await _first_text(client, sid, "warm follow-up"))
            async with Redis.from_url(p.redis_url) as redis:
                holder = (await redis.get(f"{p.env['REDIS_KEY_PREFIX']}session:{sid}:warm")).decode()
            pid = int(holder.split("-")[-2])
            index = next(i for i, w in enumerate(p.workers) if w is not None and w.pid == pid)
            p.kill_worker(index)
            p.wait_for_workers(1)
            await asyncio.sleep(SETTLE)
            cold_times.append(await _first_text(client, sid, "after the loss"))
            p.start_worker(index)
            p.wait_for_workers(2)
        await client.aclose()
    rows = [
        ("warm follow-up (same worker)", ms(statistics.median(warm_times))),
        ("cold resume (another worker, transcript from the database)", ms(statistics.median(cold_times))),
    ]
    return [
        "Cold resume on a worker that never saw the session:",
        "",
        table(("turn", "median first text"), rows),
    ]


async def memory(per_step: list[int], database_url: str | None) -> list[str]:
    rows = []
    with ScaledPlatform(web=1, workers=1, worker_concurrency=8, database_url=database_url) as p:
        client = await _client(p.url, p.password)
        await set_script(client, p.mock_url, bench_script())
        warm = 0
        proc = p.workers[0]
        assert proc is not None
        for target in per_step:
            new = [await new_session(client) for _ in range(target - warm)]
            for start in range(0, len(new), 8):
                await asyncio.gather(*(_first_text(client, sid, "hello") for sid in new[start : start + 8]))
            warm = target
            await asyncio.sleep(2)
            own = memory_of(proc.pid)
            agents = [memory_of(pid) for pid in descendants(proc.pid)]
            total = sum(agents, own)
            per_agent = (total.pss_kib - own.pss_kib) / target if target else 0
            rows.append((target, mib(own.pss_kib), mib(total.pss_kib), mib(per_agent) if target else "-"))
        await client.aclose()
    return [
        "Memory of one worker (PSS: shared pages divided among their users):",
        "",
        table(("warm sessions", "worker process", "worker + agents", "per warm agent"), rows),
    ]


async def main() -> int:
    args = parser(__doc__.split("\n")[0])
    args.add_argument("--sessions", type=int, default=6)
    args.add_argument("--turns", type=int, default=5)
    args.add_argument(
        "--warm", type=int, default=50, help="largest number of warm sessions for the memory step"
    )
    args.add_argument("--database-url", default=None, help="a PostgreSQL URL (its own database is made)")
    opts = args.parse_args()
    note = load_note()
    lines = [f"## Scale-out\n\nMeasured {stamp()}, {note}. `python bench/scaleout.py`.", ""]
    with (
        Platform(max_concurrent_runs=8) as embedded,
        ScaledPlatform(web=1, workers=1, database_url=opts.database_url) as scaled,
    ):
        lines += await follow_up_ttft(embedded, scaled, opts.sessions, opts.turns)
    one = await throughput(1, 8, opts.turns, opts.database_url)
    two = await throughput(2, 8, opts.turns, opts.database_url)
    lines += [
        "",
        "Throughput, 8 sessions sending at once (scripted model, no delay):",
        "",
        table(("workers", "turns per second"), [(1, f"{one:.1f}"), (2, f"{two:.1f}")]),
        "",
        f"2 workers / 1 worker: {two / one:.2f} (on 2 cores the agents' CLIs, not the workers, are the limit).",
        "",
    ]
    lines += [""] + await cold_resume(opts.database_url, max(3, opts.sessions // 2)) + [""]
    steps = sorted({0, 10, opts.warm})
    lines += await memory(steps, opts.database_url)
    report = "\n".join(lines) + "\n"
    print(report)
    if opts.write:
        write_section("scaleout", report)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
