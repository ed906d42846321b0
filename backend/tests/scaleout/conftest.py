"""The scale-out topology (bench/topology.py): two web replicas, two workers, a private Redis, real kills."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from topology import ScaledPlatform  # noqa: E402  bench/topology.py


@pytest.fixture(scope="module")
def topology() -> Iterator[ScaledPlatform]:
    """Started once per module; tests that kill a process start it again before they end."""
    with ScaledPlatform(
        web=2,
        workers=2,
        chunk_delay=0.03,
        database_url=os.environ.get("TEST_DATABASE_URL") or None,
    ) as platform:
        yield platform
