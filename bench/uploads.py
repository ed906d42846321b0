"""Uploads: a 100 MiB file streamed to storage with little server memory, and the time a 10 MiB file takes.

`aigc serve` (local storage) gets `POST /api/v1/sessions/{id}/files` over real HTTP from a file on disk.
The server's RSS is sampled every 10 ms during the big upload; its growth over the idle RSS is the figure.
Target: under 20 MiB of growth for 100 MiB (the body is spooled to disk, stored in chunks). "Ready" is the
201 answer: the file is stored and listed, a message can name it.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from common import (
    API,
    Platform,
    load_note,
    machine,
    memory_of,
    mib,
    ms,
    new_session,
    parser,
    signed_in_client,
    table,
)

MIB = 1024 * 1024


def _file(size: int) -> Path:
    handle, name = tempfile.mkstemp(prefix="aigc-upload-", suffix=".bin")
    with os.fdopen(handle, "wb") as out:
        block = os.urandom(MIB)
        for _ in range(size // MIB):
            out.write(block)
    return Path(name)


async def _upload(client: httpx.AsyncClient, session_id: str, path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as source:
        response = await client.post(
            f"{API}/sessions/{session_id}/files",
            files=[("files", (path.name, source, "application/octet-stream"))],
        )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed


async def body(p: Platform, big_mib: int, small_mib: int, repeats: int) -> int:
    client = await signed_in_client(p)
    big, small = _file(big_mib * MIB), _file(small_mib * MIB)
    try:
        session_id = await new_session(client)
        warm = _file(MIB)
        await _upload(
            client, session_id, warm
        )  # the route's first call imports and opens what it needs
        warm.unlink()
        idle = memory_of(p.server_pid).rss_kib
        peak = idle
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, memory_of(p.server_pid).rss_kib)
                time.sleep(0.01)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            big_seconds = await _upload(client, session_id, big)
        finally:
            stop.set()
            sampler.join()
        times = []
        for _ in range(repeats):
            times.append(await _upload(client, await new_session(client), small))
    finally:
        await client.aclose()
        big.unlink()
        small.unlink()
    growth_mib = (peak - idle) / 1024
    print(machine(), load_note(), sep="\n")
    print(
        table(
            ["measure", "value"],
            [
                [f"{big_mib} MiB upload: server RSS idle (MiB)", mib(idle)],
                [f"{big_mib} MiB upload: server RSS peak (MiB)", mib(peak)],
                [f"{big_mib} MiB upload: growth", f"{growth_mib:.1f} MiB"],
                [f"{big_mib} MiB upload: time to 201 (ms)", ms(big_seconds)],
                [
                    f"{small_mib} MiB upload: time to 201 (median of {repeats}, ms)",
                    ms(statistics.median(times)),
                ],
                [f"{small_mib} MiB upload: slowest (ms)", ms(max(times))],
            ],
        )
    )
    return 0 if growth_mib < 20 else 1


def main() -> int:
    args = parser(__doc__ or "").parse_args()
    platform = Platform(keep=args.keep)
    platform.env["UPLOAD_MAX_FILE_MB"] = "128"
    try:
        with platform as p:
            return asyncio.run(body(p, 100, 10, 5))
    except KeyboardInterrupt:
        print("\ninterrupted; every started process was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
