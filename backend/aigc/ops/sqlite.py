"""SQLite: a consistent online copy, its integrity check and row counts, and swapping a copy in."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

from aigc.core.config import Settings
from aigc.ops.database import DatabaseState, quote_identifier
from aigc.ops.errors import BackupError, RestoreRefusedError
from aigc.ops.trees import rename_aside

# Files SQLite keeps beside the database; a stale -wal next to a swapped-in file would corrupt it.
SIDE_SUFFIXES = ("-wal", "-shm", "-journal")


def database_path(settings: Settings) -> Path:
    """The SQLite file named by DATABASE_URL."""
    database = make_url(settings.database_url).database
    if not database or database.startswith((":memory:", "file:")):
        raise BackupError(f"DATABASE_URL {settings.database_url!r} does not name a SQLite file on disk")
    return Path(database)


@contextlib.contextmanager
def _connect(path: Path, busy_timeout_ms: int = 30_000) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def snapshot(source: Path, target: Path, busy_timeout_ms: int) -> DatabaseState:
    """Copy a live database with the online backup API, then describe the copy (blocking)."""
    if not source.is_file():
        raise BackupError(f"No SQLite database at {source}: run `aigc db upgrade` first")
    target.parent.mkdir(parents=True, exist_ok=True)
    with _connect(source, busy_timeout_ms) as live, _connect(target) as copy:
        # pages=-1 copies in one step, i.e. inside one read transaction: one consistent point in time,
        # while WAL mode lets the server keep writing meanwhile.
        live.backup(copy, pages=-1)
        # The copy inherits WAL mode; one self-contained file is what an archive wants.
        copy.execute("PRAGMA journal_mode=DELETE")
    return describe(target)


def describe(path: Path) -> DatabaseState:
    """Schema revision and row counts of every table in the file (blocking)."""
    with _connect(path) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            name: connection.execute(f"SELECT count(*) FROM {quote_identifier(name)}").fetchone()[0]
            for name in tables
        }
        revision = None
        if "alembic_version" in tables:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
    return DatabaseState(revision=revision, row_counts=counts)


def integrity_check(path: Path) -> None:
    """Refuse a file that SQLite itself finds damaged."""
    try:
        with _connect(path) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise RestoreRefusedError(f"The archived database is not a readable SQLite file ({exc})") from None
    if problems != ["ok"]:
        raise RestoreRefusedError(
            f"The archived database fails SQLite's integrity check: {'; '.join(problems[:3])}"
        )


def swap_in(staged: Path, target: Path, suffix: str) -> list[Path]:
    """Put the current database (and its side files) aside under `suffix`, then move `staged` into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    aside: list[Path] = []
    for current in [target, *(target.with_name(target.name + side) for side in SIDE_SUFFIXES)]:
        if current.exists():
            aside.append(rename_aside(current, current.with_name(current.name + suffix)))
    _move_file(staged, target)
    return aside


def _move_file(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError:
        # Another filesystem (the database lives outside data_dir): copy next to it, then rename.
        import shutil

        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
