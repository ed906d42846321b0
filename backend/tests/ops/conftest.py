"""Fixtures for backups: a fresh platform to restore into (a new SQLite file, or a new PostgreSQL database)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from aigc.core.config import Settings, load_settings
from aigc.ops import postgres
from tests.conftest import IS_POSTGRES


@pytest.fixture
async def fresh_settings(settings: Settings, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings of an empty platform in its own folders; on PostgreSQL, its own throw-away database."""
    root = tmp_path / "fresh"
    if not IS_POSTGRES:
        yield load_settings(
            data_dir=root / "data",
            work_dir=root / "work_dir",
            log_dir=root / "logs",
            database_url=f"sqlite+aiosqlite:///{root / 'data' / 'sessions.db'}",
        )
        return
    # The suite's own database is shared by every test: restores go to a database made for this test.
    name = f"aigc_restore_test_{uuid.uuid4().hex[:8]}"
    admin = await postgres.connect(settings)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(settings.database_url).set(database=name)
        yield load_settings(
            data_dir=root / "data",
            work_dir=root / "work_dir",
            log_dir=root / "logs",
            database_url=url.render_as_string(hide_password=False),
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
