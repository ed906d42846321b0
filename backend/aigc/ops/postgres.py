"""PostgreSQL: pg_dump inside an exported snapshot, and pg_restore into a fresh `public` schema."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import URL, make_url

from aigc.core.config import Settings
from aigc.ops.database import DatabaseState, count_mismatches, quote_identifier
from aigc.ops.errors import BackupError, RestoreFailedError

SCHEMA = "public"
_INSTALL_HINT = "install the PostgreSQL client tools (Debian: apt install postgresql-client)"


def _url(settings: Settings) -> URL:
    return make_url(settings.database_url)


def libpq_environment(settings: Settings) -> dict[str, str]:
    """PG* variables for pg_dump/pg_restore; the password travels in the environment, not argv."""
    url = _url(settings)
    host = url.host or str(url.query.get("host") or "")
    values = {
        "PGHOST": host,
        "PGPORT": str(url.port or ""),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
        "PGSSLMODE": str(url.query.get("ssl") or url.query.get("sslmode") or ""),
        "PGCONNECT_TIMEOUT": "10",
    }
    return {name: value for name, value in values.items() if value}


async def connect(settings: Settings) -> asyncpg.Connection:
    """A plain asyncpg connection to the configured database (asyncpg takes the URL's parts, not the URL)."""
    url = _url(settings)
    options: dict[str, Any] = {
        "host": url.host or url.query.get("host"),
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "database": url.database,
    }
    if ssl := url.query.get("ssl") or url.query.get("sslmode"):
        options["ssl"] = ssl
    return await asyncpg.connect(**{key: value for key, value in options.items() if value is not None})


async def describe(connection: asyncpg.Connection, schema: str = SCHEMA) -> DatabaseState:
    """Schema revision and row counts of every table in `schema`, in the connection's transaction."""
    tables = [
        row["tablename"]
        for row in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", schema
        )
    ]
    prefix = quote_identifier(schema)
    counts = {
        name: int(await connection.fetchval(f"SELECT count(*) FROM {prefix}.{quote_identifier(name)}"))
        for name in tables
    }
    revision = None
    if "alembic_version" in tables:
        revision = await connection.fetchval(f"SELECT version_num FROM {prefix}.alembic_version LIMIT 1")
    return DatabaseState(revision=revision, row_counts=counts)


async def _run(settings: Settings, *args: str) -> None:
    program = shutil.which(args[0])
    if program is None:
        raise FileNotFoundError(args[0])
    # The tools need PATH and friends besides the connection variables.
    process = await asyncio.create_subprocess_exec(
        program,
        *args[1:],
        env={**os.environ, **libpq_environment(settings)},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(
            stderr.decode(errors="replace").strip() or f"{args[0]} exited with {process.returncode}"
        )


async def dump(settings: Settings, target: Path) -> DatabaseState:
    """pg_dump the `public` schema (custom format) and count its rows, both in one snapshot."""
    target.parent.mkdir(parents=True, exist_ok=True)
    connection = await connect(settings)
    try:
        # pg_dump joins the snapshot this transaction exports, so the dump and the counts in the
        # manifest describe exactly the same instant even while the server keeps writing.
        async with connection.transaction(isolation="repeatable_read", readonly=True):
            snapshot_id = await connection.fetchval("SELECT pg_export_snapshot()")
            state = await describe(connection)
            try:
                await _run(
                    settings,
                    "pg_dump",
                    "--format=custom",
                    f"--schema={SCHEMA}",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                )
            except FileNotFoundError:
                raise BackupError(f"pg_dump was not found: {_INSTALL_HINT}") from None
            except RuntimeError as exc:
                raise BackupError(f"pg_dump failed: {exc}") from None
    finally:
        await connection.close()
    return state


async def restore(
    settings: Settings, dump_file: Path, aside_schema: str, expected: dict[str, int]
) -> str | None:
    """Rename `public` to `aside_schema`, pg_restore the dump, check the counts; undo all on failure.

    pg_restore recreates objects in the schema they were dumped from, so the old schema has to move
    out of the way first; keeping it (instead of dropping it) is what makes the restore reversible.
    Returns the aside schema's name, or None when there was no `public` schema to keep.
    """
    if shutil.which("pg_restore") is None:
        raise RestoreFailedError(f"pg_restore was not found: {_INSTALL_HINT}")
    connection = await connect(settings)
    try:
        had_public = bool(
            await connection.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = $1", SCHEMA)
        )
        if had_public:
            await connection.execute(f"ALTER SCHEMA {SCHEMA} RENAME TO {quote_identifier(aside_schema)}")
        try:
            await _run(
                settings,
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={_url(settings).database}",
                str(dump_file),
            )
            mismatches = count_mismatches(expected, (await describe(connection)).row_counts)
            if mismatches:
                raise RuntimeError(
                    "restored row counts differ from the manifest: " + "; ".join(mismatches[:5])
                )
        except RuntimeError as exc:
            await _put_back(connection, aside_schema if had_public else None)
            raise RestoreFailedError(
                f"Restoring the PostgreSQL dump failed, nothing was changed: {exc}"
            ) from None
    finally:
        await connection.close()
    return aside_schema if had_public else None


async def _put_back(connection: asyncpg.Connection, aside_schema: str | None) -> None:
    async with connection.transaction():
        await connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        if aside_schema is not None:
            await connection.execute(f"ALTER SCHEMA {quote_identifier(aside_schema)} RENAME TO {SCHEMA}")
