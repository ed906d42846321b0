"""The numbered migrations: up, down and up again; in step with the models; the stale-schema refusal."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from aigc.core.config import get_settings
from aigc.core.db import build_engine
from aigc.core.migrations import (
    SchemaOutOfDateError,
    alembic_config,
    downgrade_database,
    ensure_schema_current,
    head_revision,
    upgrade_database,
)
from aigc.model_registry import metadata


def _run(coro):
    return asyncio.run(coro)


async def _tables() -> set[str]:
    engine = build_engine(get_settings())
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


def test_revisions_are_numbered_and_linear() -> None:
    revisions = list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))
    assert [rev.revision for rev in revisions] == [f"{i:04d}" for i in range(1, len(revisions) + 1)]
    for rev in revisions:
        assert rev.module.__file__.rsplit("/", 1)[-1].startswith(rev.revision + "_")


def test_upgrade_downgrade_upgrade() -> None:
    model_tables = set(metadata.tables)
    try:
        assert model_tables <= _run(_tables())
        assert downgrade_database("base") == "base"
        assert not (model_tables & _run(_tables()))
        assert upgrade_database() == head_revision()
        assert model_tables <= _run(_tables())
    finally:
        upgrade_database()


def test_models_and_migrations_agree() -> None:
    async def diff() -> list:
        engine = build_engine(get_settings())
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(
                    lambda sync: compare_metadata(
                        MigrationContext.configure(sync, opts={"compare_type": True}), metadata
                    )
                )
        finally:
            await engine.dispose()

    assert _run(diff()) == []


def test_server_refuses_a_stale_or_unknown_schema() -> None:
    async def check() -> None:
        engine = build_engine(get_settings())
        try:
            await ensure_schema_current(engine)
        finally:
            await engine.dispose()

    async def set_version(value: str) -> None:
        engine = build_engine(get_settings())
        try:
            async with engine.begin() as conn:
                await conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": value})
        finally:
            await engine.dispose()

    try:
        downgrade_database("base")
        with pytest.raises(SchemaOutOfDateError, match="aigc db upgrade"):
            _run(check())
        upgrade_database()
        _run(check())
        _run(set_version("9999"))
        with pytest.raises(SchemaOutOfDateError, match="newer version"):
            _run(check())
        _run(set_version(head_revision()))
    finally:
        upgrade_database()
