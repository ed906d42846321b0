"""Soak: the load mix for a long time, watching for drift (latency, server memory, file descriptors).

Same traffic as load.py, for `--duration` seconds (default 30 min), with a line every `--tick` seconds:
requests and p95 in that window, server RSS, agent processes, open descriptors of the server, database
size. Targets: no 5xx, no "database is locked", every turn ok (exit code 1 otherwise). Growth between the
first and the last window is reported for a person to judge; a leak shows as steady growth, not a step.
"""

from __future__ import annotations

import os
import sys
import time

from common import Platform, load_note, machine, memory_of, mib, ms, parser, percentile, run, stamp, table
from load_common import LoadResult, run_load, write_section


def _fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def main() -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=50, help="concurrent API clients (default 50)")
    p.add_argument("--streams", type=int, default=10, help="sessions streaming turns meanwhile (default 10)")
    p.add_argument("--duration", type=float, default=1800.0, help="seconds (default 1800)")
    p.add_argument("--tick", type=float, default=60.0, help="seconds per report line (default 60)")
    p.add_argument(
        "--think", type=float, default=0.2, help="mean pause between a client's requests, s (default 0.2)"
    )
    args = p.parse_args()
    rows: list[list[object]] = []

    async def body(platform: Platform) -> int:
        note = load_note()
        started = time.monotonic()
        seen = {"samples": 0}

        async def tick(result: LoadResult) -> None:
            window = result.samples[seen["samples"] :]
            seen["samples"] = len(result.samples)
            server = memory_of(platform.server_pid)
            agents = platform.agent_pids()
            db = platform.root / "bench.db"
            row = [
                f"{time.monotonic() - started:.0f}",
                len(window),
                ms(percentile([s for _, _, s in window], 50)),
                ms(percentile([s for _, _, s in window], 95)),
                sum(1 for _, status, _ in window if status >= 500),
                mib(server.rss_kib),
                len(agents),
                _fds(platform.server_pid),
                f"{(db.stat().st_size if db.exists() else 0) / 1e6:.1f}",
            ]
            rows.append(row)
            print(" | ".join(str(c) for c in row), flush=True)

        print(
            f"soak: {args.clients} clients, {args.streams} streams, {args.duration:.0f} s ({note})",
            flush=True,
        )
        print(
            "elapsed s | requests | p50 ms | p95 ms | 5xx | server RSS MiB | agents | fds | db MB", flush=True
        )
        result = await run_load(
            platform,
            clients=args.clients,
            streams=args.streams,
            duration=args.duration,
            think=args.think,
            on_tick=tick,
            tick=args.tick,
        )
        windows = table(
            ["elapsed s", "requests", "p50 ms", "p95 ms", "5xx", "server RSS MiB", "agents", "fds", "db MB"],
            rows,
        )
        report = f"{result.report()}\n\nPer window:\n\n{windows}"
        print("\n" + report)
        if args.write:
            write_section(
                "soak",
                f"### Soak ({stamp()})\n\n`python bench/soak.py --clients {args.clients} --streams {args.streams} "
                f"--duration {args.duration:.0f} --think {args.think}` on {machine()} ({note}).\n\n{report}\n",
            )
        return 0 if result.ok else 1

    return run(body, max_concurrent_runs=max(20, args.streams), chunk_delay=0.03, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
