"""The fast variant of bench/load.py: a few API clients and streaming sessions against `aigc serve` on SQLite.

No 5xx, no "database is locked" anywhere, every turn ok. The long run (200 clients, 20 streams, two
minutes) is `python bench/load.py`; its figures are in docs/reliability.md.
"""

from __future__ import annotations

import asyncio

from common import Platform  # bench/common.py
from load_common import run_load  # bench/load_common.py


async def test_mixed_load_with_streaming_sessions_on_sqlite() -> None:
    platform = Platform(max_concurrent_runs=20, chunk_delay=0.03)
    await asyncio.to_thread(platform.start)
    try:
        result = await run_load(platform, clients=40, streams=4, duration=8.0)
    finally:
        await asyncio.to_thread(platform.stop)
    print("\n" + result.report())
    assert not result.failures, result.failures[:10]
    assert result.server_errors == 0 and result.failed_turns == 0, result.report()
    assert result.locked_in_log == 0 and result.tracebacks_in_log == 0, result.report()
    assert len(result.samples) > 100 and len(result.turns) >= 4
