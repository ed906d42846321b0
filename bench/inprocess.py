"""For benchmarks that run the platform in this process against a throw-away SQLite database."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

BACKEND = Path(__file__).resolve().parents[1] / "backend"


def run_with_fresh_database(prefix: str, main: Callable[[], Coroutine[Any, Any, None]], **env: str) -> None:
    """Point every setting at a temporary folder before any aigc module reads them, then run `main`."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        folder = Path(tmp)
        os.environ.update(
            DEBUG="true",
            AIGC_ENV_FILE=str(folder / "none.env"),
            DATA_DIR=str(folder / "data"),
            WORK_DIR=str(folder / "work"),
            LOG_DIR=str(folder / "logs"),
            DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'bench.db'}",
            SCHEDULER_ENABLED="false",
            FRONTEND_DIST_DIR=str(folder / "none"),
            LOG_LEVEL="WARNING",
            **env,
        )
        sys.path.insert(0, str(BACKEND))
        asyncio.run(main())


async def migrate() -> None:
    from aigc.core.migrations import upgrade_database

    await asyncio.to_thread(upgrade_database)
