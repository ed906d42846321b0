"""Async engine, sessions and the transaction rules shared by requests, jobs and agent runs."""

from __future__ import annotations

import contextvars
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.config import Settings, get_settings

# SQLite upgrades a read transaction to a write lazily and fails at once with "database is locked"
# when another writer got there first: its busy handler is not consulted for that upgrade. Write
# transactions therefore start with BEGIN IMMEDIATE, which does wait (busy_timeout) for the lock.
_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("aigc_db_write_intent", default=False)

_engine: AsyncEngine | None = None
_sessionmaker: async_sessionmaker[AsyncSession] | None = None


def build_engine(settings: Settings) -> AsyncEngine:
    """Create the engine for the configured database, with SQLite tuned for concurrent use."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=settings.db_echo,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
        )
        _tune_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_async_engine(
        url,
        echo=settings.db_echo,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
    )


def _tune_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so that writes can ask for IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def get_engine() -> AsyncEngine:
    """The process-wide engine, created on first use from the settings."""
    global _engine, _sessionmaker
    if _engine is None:
        _engine = build_engine(get_settings())
        _sessionmaker = async_sessionmaker(_engine, class_=AsyncSession, expire_on_commit=False)
    return _engine


def get_sessionmaker() -> async_sessionmaker[AsyncSession]:
    get_engine()
    assert _sessionmaker is not None
    return _sessionmaker


async def dispose_engine() -> None:
    """Close every pooled connection (shutdown, tests switching databases)."""
    global _engine, _sessionmaker
    if _engine is not None:
        await _engine.dispose()
    _engine = None
    _sessionmaker = None


@asynccontextmanager
async def session_scope(*, write: bool = True) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits on success and rolls back on error.

    Jobs and agent runs use this directly; requests get it through the session dependency.
    """
    from aigc.core.errors import AppError

    token = _write_intent.set(write)
    try:
        async with get_sessionmaker()() as session:
            try:
                yield session
            except AppError as exc:
                # Some refusals must still persist what they did (e.g. revoking a stolen token family).
                await (session.commit() if exc.keep_changes else session.rollback())
                raise
            except BaseException:
                await session.rollback()
                raise
            else:
                await session.commit()
    finally:
        _write_intent.reset(token)


async def upsert_increment(
    session: AsyncSession,
    table: Any,
    *,
    key: dict[str, Any],
    increments: dict[str, Any],
    sets: dict[str, Any] | None = None,
    insert_only: dict[str, Any] | None = None,
    conflict: list[str] | None = None,
) -> None:
    """Insert a counter row or add to it, atomically, in one statement (SQLite and PostgreSQL alike).

    `increments` are added on conflict, `sets` overwrite, `insert_only` (e.g. a surrogate id) apply to new rows.
    """
    connection = await session.connection()
    if connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    values = {**key, **increments, **(sets or {}), **(insert_only or {})}
    statement = insert(table).values(**values)
    updates = {name: table.c[name] + statement.excluded[name] for name in increments}
    updates.update({name: statement.excluded[name] for name in sets or {}})
    if updates:
        statement = statement.on_conflict_do_update(index_elements=conflict or list(key), set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=conflict or list(key))
    await session.exec(statement)  # type: ignore[call-overload]
