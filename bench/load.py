"""Load: many API clients (feedback, lists, detail, stats) with streaming sessions alongside, on SQLite.

Targets: no 5xx, no "database is locked" (in any response or in the server log), every turn `ok`.
p50/p95 per operation type are printed (and written to docs/reliability.md with --write). Exit code 1
when a target is missed.
"""

from __future__ import annotations

import sys

from common import Platform, load_note, machine, parser, run, stamp
from load_common import run_load, write_section


def main() -> int:
    p = parser(__doc__.splitlines()[0])
    p.add_argument("--clients", type=int, default=200, help="concurrent API clients (default 200)")
    p.add_argument("--streams", type=int, default=20, help="sessions streaming turns meanwhile (default 20)")
    p.add_argument("--duration", type=float, default=120.0, help="seconds of load (default 120)")
    p.add_argument(
        "--think", type=float, default=0.0, help="mean pause between a client's requests, s (default 0)"
    )
    args = p.parse_args()

    async def body(platform: Platform) -> int:
        note = load_note()
        print(f"{args.clients} clients, {args.streams} streams, {args.duration:.0f} s ({note})", flush=True)
        result = await run_load(
            platform, clients=args.clients, streams=args.streams, duration=args.duration, think=args.think
        )
        report = result.report()
        print(report)
        for failure in result.failures[:20]:
            print("  failure:", failure, file=sys.stderr)
        if args.write:
            write_section(
                "load" if not args.think else f"load-think-{args.think:g}",
                f"### Load ({stamp()})\n\n`python bench/load.py --clients {args.clients} --streams {args.streams} "
                f"--duration {args.duration:.0f} --think {args.think:g}` on {machine()} ({note}).\n\n{report}\n",
            )
        return 0 if result.ok else 1

    return run(body, max_concurrent_runs=max(20, args.streams), chunk_delay=0.03, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
