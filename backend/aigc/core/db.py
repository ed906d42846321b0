"""Async engine, sessions and the transaction rules shared by requests, jobs and agent runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core import tracing
from aigc.core.config import Settings, get_settings

_engine: AsyncEngine | None = None
_sessionmaker: async_sessionmaker[AsyncSession] | None = None
# SQLite only: write transactions come from a pool of their own that holds a single connection.
_writer: AsyncEngine | None = None
_writer_sessionmaker: async_sessionmaker[AsyncSession] | None = None


def build_engine(settings: Settings, *, writer: bool = False) -> AsyncEngine:
    """Create the engine for the configured database, with SQLite tuned for concurrent use.

    SQLite has one write lock per database. Its busy handler polls for the lock with growing sleeps and
    in no order, so under a steady stream of writes one writer can lose for the whole busy timeout (a
    30 s wait and "database is locked" in a 30-minute soak). The `writer` engine therefore holds one
    connection: the writers of this process queue for it in arrival order (the pool's queue) and take
    the lock with BEGIN IMMEDIATE, which then waits (busy_timeout) only for other processes. Readers use
    the other engine: WAL lets them run beside the writer.
    """
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            echo=settings.db_echo,
            pool_size=1 if writer else settings.db_pool_size,
            max_overflow=0 if writer else settings.db_pool_size,
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
        )
        _tune_sqlite(engine, settings.sqlite_busy_timeout_ms, immediate=writer)
    else:
        engine = create_async_engine(
            url,
            echo=settings.db_echo,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_pool_size,
            pool_pre_ping=True,
        )
    tracing.trace_engine(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine, busy_timeout_ms: int, *, immediate: bool) -> None:
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
        # A deferred transaction that writes later upgrades its lock without waiting (it fails at once
        # when another process holds it), so writes take the lock up front.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def get_engine() -> AsyncEngine:
    """The process-wide engine, created on first use from the settings."""
    global _engine, _sessionmaker
    if _engine is None:
        _engine = build_engine(get_settings())
        _sessionmaker = async_sessionmaker(_engine, class_=AsyncSession, expire_on_commit=False)
    return _engine


def get_sessionmaker(*, write: bool = False) -> async_sessionmaker[AsyncSession]:
    """Sessions for reading, or for writing (on SQLite from the single-connection writer pool)."""
    global _writer, _writer_sessionmaker
    engine = get_engine()
    if write and engine.dialect.name == "sqlite":
        if _writer is None:
            _writer = build_engine(get_settings(), writer=True)
            _writer_sessionmaker = async_sessionmaker(_writer, class_=AsyncSession, expire_on_commit=False)
        assert _writer_sessionmaker is not None
        return _writer_sessionmaker
    assert _sessionmaker is not None
    return _sessionmaker


async def dispose_engine() -> None:
    """Close every pooled connection (shutdown, tests switching databases)."""
    global _engine, _sessionmaker, _writer, _writer_sessionmaker
    for engine in (_engine, _writer):
        if engine is not None:
            await engine.dispose()
    _engine = _writer = None
    _sessionmaker = _writer_sessionmaker = None


@asynccontextmanager
async def session_scope(*, write: bool = True) -> AsyncIterator[AsyncSession]:
    """A session whose transaction commits on success and rolls back on error.

    Jobs and agent runs use this directly; requests get it through the session dependency.
    """
    from aigc.core.errors import AppError

    async with get_sessionmaker(write=write)() as session:
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
    # Both dialects' inserts have on_conflict_do_update/do_nothing with the same signature.
    insert: Callable[[Any], Any] = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    values = {**key, **increments, **(sets or {}), **(insert_only or {})}
    statement = insert(table).values(**values)
    updates = {name: table.c[name] + statement.excluded[name] for name in increments}
    updates.update({name: statement.excluded[name] for name in sets or {}})
    if updates:
        statement = statement.on_conflict_do_update(index_elements=conflict or list(key), set_=updates)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=conflict or list(key))
    await session.exec(statement)
