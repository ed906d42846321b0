"""What the SQLite and PostgreSQL halves share: the snapshot description and identifier quoting."""

from __future__ import annotations

from dataclasses import dataclass

from aigc.core.config import Settings

SQLITE = "sqlite"
POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class DatabaseState:
    """What a database snapshot holds: its schema revision and the rows of each table."""

    revision: str | None
    row_counts: dict[str, int]


def database_kind(settings: Settings) -> str:
    return SQLITE if settings.is_sqlite else POSTGRESQL


def quote_identifier(name: str) -> str:
    """Table names come from the database catalogue, but are quoted anyway."""
    return '"' + name.replace('"', '""') + '"'


def count_mismatches(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """Human-readable differences between two row-count maps (empty when they agree)."""
    return [
        f"{table}: {actual.get(table, 'missing')} rows instead of {expected.get(table, 'none')}"
        for table in sorted(set(expected) | set(actual))
        if expected.get(table) != actual.get(table)
    ]
