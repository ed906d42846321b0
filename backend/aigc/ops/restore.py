"""Restore a backup archive into the configured platform, keeping the replaced data aside."""

from __future__ import annotations

import asyncio
import logging
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory

from aigc.core.config import Settings
from aigc.core.migrations import alembic_config, head_revision
from aigc.ops import postgres, sqlite
from aigc.ops.archive import extract
from aigc.ops.backup import default_backup_dir
from aigc.ops.database import SQLITE, count_mismatches, database_kind
from aigc.ops.errors import RestoreFailedError, RestoreRefusedError
from aigc.ops.manifest import DATA_DIR, MANIFEST_NAME, OBJECTS_DIR, WORK_DIR, Manifest, verify_files
from aigc.ops.runlock import exclusive_lock
from aigc.ops.trees import (
    RESTORE_STAGING_PREFIX,
    aside_suffix,
    data_rules,
    move_children,
    set_aside_children,
    set_aside_folder,
)
from aigc.storage import create_storage

logger = logging.getLogger("aigc.ops")


@dataclass
class RestoreReport:
    """What a restore did and where the previous data now lives."""

    archive: Path
    schema_revision: str | None
    row_counts: dict[str, int]
    set_aside: list[str] = field(default_factory=list)
    objects_restored: int = 0
    needs_upgrade: bool = False


async def restore_backup(settings: Settings, archive: Path) -> RestoreReport:
    """Replace the database, data_dir, work_dir and artifacts with the archive's, after checking it.

    Refuses (RestoreRefusedError, nothing changed) while a server runs, and for an archive that is
    damaged, unknown to these migrations, or from another database engine.
    """
    if not archive.is_file():  # noqa: ASYNC240 - one stat before anything runs; nothing else is waiting
        raise RestoreRefusedError(f"No backup archive at {archive}")
    # Microseconds: two restores in one second must not put their old data under the same name.
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(settings):
        # Staging inside data_dir keeps the final moves renames on the same filesystem (Docker volumes).
        staging = settings.data_dir / f"{RESTORE_STAGING_PREFIX}{stamp}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            manifest = await asyncio.to_thread(_unpack_and_check, archive, staging, settings)
            report = RestoreReport(archive, manifest.schema_revision, manifest.row_counts)
            suffix = aside_suffix(stamp)
            report.set_aside += await _restore_database(settings, manifest, staging, suffix)
            report.set_aside += await asyncio.to_thread(_restore_trees, settings, staging, suffix)
            report.objects_restored = await _restore_objects(settings, manifest, staging)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    report.needs_upgrade = manifest.schema_revision != head_revision()
    logger.info("Restored %s; previous data kept at %s", archive, ", ".join(report.set_aside) or "(none)")
    return report


def _unpack_and_check(archive: Path, staging: Path, settings: Settings) -> Manifest:
    extract(archive, staging)
    manifest_file = staging / MANIFEST_NAME
    if not manifest_file.is_file():
        raise RestoreRefusedError(
            f"{archive.name} has no manifest.json: it is not an AIGC backup or it is truncated"
        )
    manifest = Manifest.from_json(manifest_file.read_bytes())
    verify_files(staging, manifest)
    _check_revision(manifest)
    kind = database_kind(settings)
    if manifest.database_kind != kind:
        raise RestoreRefusedError(
            f"The archive holds a {manifest.database_kind} database but DATABASE_URL points at {kind}; "
            "restoring across database engines is not supported"
        )
    if manifest.objects and not settings.minio_enabled:
        raise RestoreRefusedError(
            f"The archive holds {len(manifest.objects)} MinIO object(s) but MinIO is not configured "
            "(MINIO_ENDPOINT, MINIO_ACCESS_KEY, MINIO_SECRET_KEY)"
        )
    if kind == SQLITE:
        # Checked before anything is replaced: a damaged copy must never take the live file's place.
        staged = staging / manifest.database_file
        sqlite.integrity_check(staged)
        mismatches = count_mismatches(manifest.row_counts, sqlite.describe(staged).row_counts)
        if mismatches:
            raise RestoreRefusedError(
                "The archived database does not match its manifest: " + "; ".join(mismatches[:5])
            )
    return manifest


def _check_revision(manifest: Manifest) -> None:
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if manifest.schema_revision is not None and manifest.schema_revision not in known:
        raise RestoreRefusedError(
            f"The backup's schema revision {manifest.schema_revision} is newer than this code knows "
            f"(newest here: {head_revision()}); restore it with platform {manifest.platform_version} or later"
        )


async def _restore_database(settings: Settings, manifest: Manifest, staging: Path, suffix: str) -> list[str]:
    staged = staging / manifest.database_file
    if database_kind(settings) != SQLITE:
        schema = await postgres.restore(
            settings, staged, f"public{suffix.replace('.', '_').replace('-', '_')}", manifest.row_counts
        )
        return [f"PostgreSQL schema {schema}"] if schema else []
    target = sqlite.database_path(settings)
    aside = await asyncio.to_thread(sqlite.swap_in, staged, target, suffix)
    mismatches = count_mismatches(
        manifest.row_counts, (await asyncio.to_thread(sqlite.describe, target)).row_counts
    )
    if mismatches:
        raise RestoreFailedError(
            f"The restored database at {target} does not match the manifest ({'; '.join(mismatches[:5])}); "
            f"the previous database is at {aside[0] if aside else '(none)'}"
        )
    return [str(path) for path in aside]


def _restore_trees(settings: Settings, staging: Path, suffix: str) -> list[str]:
    sqlite_file = sqlite.database_path(settings) if settings.is_sqlite else None
    rules = data_rules(settings.data_dir, sqlite_file, default_backup_dir(settings))
    try:
        aside = set_aside_children(settings.data_dir, rules, suffix)
        move_children(staging / DATA_DIR, settings.data_dir)
        kept_work = set_aside_folder(settings.work_dir, suffix)
        move_children(staging / WORK_DIR, settings.work_dir)
    except OSError as exc:
        raise RestoreFailedError(
            f"The database was restored but copying the files failed ({exc}); the previous files carry the "
            f"suffix {suffix} in {settings.data_dir} and beside {settings.work_dir}"
        ) from exc
    return [str(path) for path in [*aside, kept_work] if path is not None]


async def _restore_objects(settings: Settings, manifest: Manifest, staging: Path) -> int:
    # Objects are uploaded over the same keys; objects the backup does not know are left in the bucket.
    storage = create_storage(settings)
    for key, content_type in manifest.objects.items():
        await storage.put_file(key, staging / OBJECTS_DIR / key, content_type)
    return len(manifest.objects)
