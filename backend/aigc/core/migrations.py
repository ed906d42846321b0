"""Schema revisions: run the numbered migrations and check that the database matches the code."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

UPGRADE_HINT = "run `aigc db upgrade` (or `python -m aigc.migrations.init_database`)"


class SchemaOutOfDateError(Exception):
    """The database is not at the revision the code expects."""


def _packaged(name: str) -> Path:
    """A file or folder shipped inside the `aigc` package, wherever it is installed (checkout or wheel)."""
    resource = resources.files("aigc") / name
    # Alembic reads the migrations as files on disk; a package imported from a zip would have none.
    if not isinstance(resource, Path):
        raise RuntimeError(f"aigc/{name} is not a file on disk; install the aigc package unzipped")
    return resource


def alembic_config() -> Config:
    """Alembic configuration for the migrations shipped in the package, whatever the current directory."""
    config = Config(str(_packaged("alembic.ini")))
    config.set_main_option("script_location", str(_packaged("migrations")))
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"Migrations must form one line; found heads {heads}")
    return heads[0]


def upgrade_database(revision: str = "head") -> str:
    """Apply migrations up to `revision` (synchronous; do not call from inside an event loop)."""
    command.upgrade(alembic_config(), revision)
    return current_revision_sync() or "base"


def downgrade_database(revision: str) -> str:
    command.downgrade(alembic_config(), revision)
    return current_revision_sync() or "base"


def current_revision_sync() -> str | None:
    import asyncio

    from aigc.core.config import get_settings
    from aigc.core.db import build_engine

    async def _read() -> str | None:
        engine = build_engine(get_settings())
        try:
            return await database_revision(engine)
        finally:
            await engine.dispose()

    return asyncio.run(_read())


async def database_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())


async def ensure_schema_current(engine: AsyncEngine) -> None:
    """Refuse to serve on a schema older (or newer) than the code, saying how to fix it."""
    expected = head_revision()
    actual = await database_revision(engine)
    if actual == expected:
        return
    if actual is None:
        raise SchemaOutOfDateError(
            f"The database has no schema yet (expected revision {expected}); {UPGRADE_HINT}"
        )
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if actual not in known:
        raise SchemaOutOfDateError(
            f"The database is at revision {actual}, which this code does not know (it expects {expected}); "
            "it was migrated by a newer version: upgrade the code or restore a matching backup"
        )
    raise SchemaOutOfDateError(
        f"The database schema is at revision {actual} but the code needs {expected}; {UPGRADE_HINT}"
    )
