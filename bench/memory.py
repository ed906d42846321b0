"""Memory per live session: the server process and its agent CLI processes with 0, 1, 5 and 10 warm sessions.

A warm session is one whose agent process is kept connected after a turn, ready for the next message.
RSS counts every resident page of a process; PSS divides each shared page among the processes that map it,
so the PSS of several agent CLIs adds up to what they really cost (the CLI binary's pages are shared).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections import Counter
from dataclasses import dataclass

from common import (
    Memory,
    Platform,
    bench_script,
    cpu_seconds,
    load_note,
    memory_of,
    mib,
    new_session,
    parser,
    process_name,
    run,
    send_turn,
    set_script,
    signed_in_client,
    stamp,
    table,
    write_section,
)

SETTLE = 2.0  # seconds to let the last turn's tail (transcript writes, garbage) finish before reading /proc
IDLE_WINDOW = 3.0  # seconds over which the CPU use of the idle processes is measured


@dataclass
class Sample:
    label: str
    sessions: int
    server: Memory
    agents: Memory
    processes: Counter[str]
    server_cpu: float  # share of one core while idle, in percent
    agents_cpu: float

    @property
    def total(self) -> Memory:
        return self.server + self.agents


async def sample(p: Platform, label: str, sessions: int) -> Sample:
    """Memory of the server and everything below it, and their CPU use while nobody sends anything."""
    pids = p.agent_pids()
    agents = Memory()
    for pid in pids:
        agents += memory_of(pid)
    before = [cpu_seconds(pid) for pid in (p.server_pid, *pids)]
    await asyncio.sleep(IDLE_WINDOW)
    used = [cpu_seconds(pid) - b for pid, b in zip((p.server_pid, *pids), before, strict=True)]
    return Sample(
        label,
        sessions,
        memory_of(p.server_pid),
        agents,
        Counter(process_name(pid) for pid in pids),
        100 * used[0] / IDLE_WINDOW,
        100 * sum(used[1:]) / IDLE_WINDOW,
    )


async def measure(p: Platform, levels: list[int], write: bool) -> int:
    load = load_note()
    samples = [await sample(p, "fresh server, no turn yet", 0)]
    client = await signed_in_client(p)
    try:
        await set_script(client, p.mock_url, bench_script())
        # The first turn imports the agent SDK and warms caches in the server; then free its agent again.
        warmup = await new_session(client)
        if not (await send_turn(client, warmup, "warm up")).ok:
            raise RuntimeError(f"warm-up turn failed\n{p.tail()}")
        (await client.delete(f"/api/v1/sessions/{warmup}")).raise_for_status()
        await asyncio.sleep(SETTLE)
        samples.append(await sample(p, "after one turn, its session deleted", 0))
        live = 0
        for level in sorted(set(levels) - {0}):
            while live < level:
                turn = await send_turn(client, await new_session(client), f"Session {live}: hello")
                if not turn.ok:
                    raise RuntimeError(f"turn failed: {turn.error}\n{p.tail()}")
                live += 1
            await asyncio.sleep(SETTLE)
            samples.append(await sample(p, f"{level} warm", level))
            print(f"{level} warm sessions measured", flush=True)
    finally:
        await client.aclose()

    rows = []
    for s in samples:
        names = (
            ", ".join(f"{n}×{c}" for c, n in sorted(((c, n) for n, c in s.processes.items()), reverse=True))
            or "–"
        )
        count = sum(s.processes.values())
        rows.append(
            [
                s.label,
                mib(s.server.rss_kib),
                mib(s.server.pss_kib),
                names,
                mib(s.agents.rss_kib),
                mib(s.agents.pss_kib),
                mib(s.agents.pss_kib / count) if count else "–",
                mib(s.total.pss_kib),
                f"{s.server_cpu:.1f}",
                f"{s.agents_cpu:.1f}",
            ]
        )
    figures = table(
        [
            "warm sessions",
            "server RSS",
            "server PSS",
            "agent processes",
            "agents RSS",
            "agents PSS",
            "PSS per agent",
            "total PSS",
            "idle CPU % server",
            "idle CPU % agents",
        ],
        rows,
    )
    base = samples[1]
    steps = []
    measured = samples[1:]
    pairs = list(itertools.pairwise(measured))
    if len(measured) > 2:
        pairs.append((base, measured[-1]))
    for before, after in pairs:
        n = after.sessions - before.sessions
        steps.append(
            [
                f"{before.sessions} → {after.sessions}",
                mib((after.server.pss_kib - before.server.pss_kib) / n),
                mib((after.agents.pss_kib - before.agents.pss_kib) / n),
                mib((after.total.pss_kib - before.total.pss_kib) / n),
                mib((after.total.rss_kib - before.total.rss_kib) / n),
            ]
        )
    increments = table(
        ["per added warm session", "server PSS", "agents PSS", "total PSS", "total RSS"], steps
    )
    last = samples[-1]
    per_session = (last.total.pss_kib - base.total.pss_kib) / max(1, last.sessions)
    report = f"""## Memory per live session (`bench/memory.py`)

{stamp()}; {load}. Each warm session had one short turn and keeps its agent
process connected. Memory read from `/proc/<pid>/smaps_rollup` of the server process and of every process
below it (found through `/proc/<pid>/task/*/children`), {SETTLE:.0f} s after the last turn, in MiB; idle CPU is
the CPU time those processes used over the next {IDLE_WINDOW:.0f} s with no request, in % of one core.

{figures}

{increments}

**About {mib(per_session)} MiB (PSS) per warm session**, nearly all of it the agent CLI process; the server's own
share per session is small. Warm agents are released after `AGENT_IDLE_RELEASE_SECONDS` (600 s by default)
and at most `2 × AGENT_MAX_CONCURRENT_RUNS` are kept, which bounds this memory. No target was set.
"""
    print(report)
    if write:
        write_section("memory", report)
    return 0


def main() -> int:
    args = parser(__doc__.split("\n")[0])
    args.add_argument(
        "--levels", default="0,1,5,10", help="numbers of warm sessions to measure (default 0,1,5,10)"
    )
    ns = args.parse_args()
    levels = [int(x) for x in ns.levels.split(",")]
    return run(lambda p: measure(p, levels, ns.write), keep=ns.keep, max_concurrent_runs=max(10, max(levels)))


if __name__ == "__main__":
    sys.exit(main())
