"""Take a consistent backup of a running platform: database, data_dir, work_dir and stored artifacts."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from aigc import __version__
from aigc.core.config import Settings
from aigc.ops import postgres, sqlite
from aigc.ops.archive import ArchiveWriter
from aigc.ops.database import SQLITE, DatabaseState, database_kind
from aigc.ops.errors import BackupError
from aigc.ops.manifest import DATA_DIR, DATABASE_DIR, OBJECTS_DIR, WORK_DIR, Manifest
from aigc.ops.trees import BACKUP_STAGING_PREFIX, data_rules, work_rules
from aigc.storage import ArtifactStorage, create_storage

logger = logging.getLogger("aigc.ops")

ARCHIVE_PATTERN = re.compile(r"^aigc-backup-(\d{8}-\d{6})(?:-(\d+))?\.tar\.gz$")


def default_backup_dir(settings: Settings) -> Path:
    """`backups/` beside data_dir (the repository's `backups/`, `/app/backups` in the image)."""
    return settings.data_dir.parent / "backups"


async def create_backup(
    settings: Settings, out_dir: Path | None = None, keep_last: int | None = None
) -> Path:
    """Write `aigc-backup-YYYYmmdd-HHMMSS.tar.gz` (UTC) to `out_dir` and return its path.

    Safe while the server runs: the database is copied at one point in time (SQLite online backup,
    pg_dump in an exported snapshot) and files are hashed exactly as archived.
    """
    if keep_last is not None and keep_last < 1:
        raise BackupError("keep_last must be at least 1 (it counts the backup being taken)")
    out_dir = (out_dir or default_backup_dir(settings)).resolve()
    if out_dir == settings.data_dir.resolve() or out_dir.is_relative_to(settings.work_dir.resolve()):
        raise BackupError(
            f"Backups cannot be written to DATA_DIR itself or inside WORK_DIR ({out_dir}): they would back up "
            "each other; choose another folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    final = _free_name(out_dir, now.strftime("%Y%m%d-%H%M%S"))
    staging = Path(tempfile.mkdtemp(prefix=BACKUP_STAGING_PREFIX, dir=out_dir))
    try:
        # Database first, files after: every file the copied rows refer to was written before the
        # snapshot, so it is in the archive (unless deleted since, in which case no restore needs it).
        database_file, state = await _snapshot_database(settings, staging)
        storage = create_storage(settings)
        objects = await _export_objects(storage, staging / OBJECTS_DIR) if settings.minio_enabled else {}
        manifest = Manifest(
            created_at=now.isoformat().replace("+00:00", "Z"),
            platform_version=__version__,
            schema_revision=state.revision,
            database_kind=database_kind(settings),
            database_file=f"{DATABASE_DIR}/{database_file.name}",
            row_counts=state.row_counts,
            storage_backend=storage.backend_name,
            objects=objects,
        )
        partial = staging / "archive.partial"
        await asyncio.to_thread(_write_archive, settings, partial, staging, database_file, manifest, out_dir)
        partial.replace(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("Backup written to %s (%d tables, schema %s)", final, len(state.row_counts), state.revision)
    if keep_last is not None:
        prune_backups(out_dir, keep_last)
    return final


def list_backups(out_dir: Path) -> list[Path]:
    """The complete archives in `out_dir`, oldest first."""
    found = []
    for path in out_dir.iterdir() if out_dir.is_dir() else []:
        match = ARCHIVE_PATTERN.match(path.name)
        if match and path.is_file():
            found.append(((match.group(1), int(match.group(2) or 0)), path))
    return [path for _, path in sorted(found)]


def prune_backups(out_dir: Path, keep_last: int) -> list[Path]:
    """Delete all but the newest `keep_last` archives; return the deleted ones."""
    doomed = list_backups(out_dir)[:-keep_last]
    for path in doomed:
        path.unlink(missing_ok=True)
        logger.info("Deleted old backup %s", path)
    return doomed


def _free_name(out_dir: Path, stamp: str) -> Path:
    # Two backups in the same second (a script, the tests) get -2, -3... rather than overwriting.
    candidate, counter = out_dir / f"aigc-backup-{stamp}.tar.gz", 1
    while candidate.exists():
        counter += 1
        candidate = out_dir / f"aigc-backup-{stamp}-{counter}.tar.gz"
    return candidate


async def _snapshot_database(settings: Settings, staging: Path) -> tuple[Path, DatabaseState]:
    if database_kind(settings) == SQLITE:
        target = staging / DATABASE_DIR / "sessions.db"
        source = sqlite.database_path(settings)
        state = await asyncio.to_thread(sqlite.snapshot, source, target, settings.sqlite_busy_timeout_ms)
    else:
        target = staging / DATABASE_DIR / "postgres.dump"
        state = await postgres.dump(settings, target)
    return target, state


async def _export_objects(storage: ArtifactStorage, target: Path) -> dict[str, str]:
    """Download every stored object to `target/<key>`; return key -> content type."""
    objects: dict[str, str] = {}
    async for entry in storage.iter_all():
        info = await storage.stat(entry.key)
        if info is None:  # deleted since the listing
            continue
        path = target / entry.key
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            async with await storage.open_stream(entry.key) as stream:
                async for chunk in stream:
                    out.write(chunk)
        objects[entry.key] = info.content_type
    return objects


def _write_archive(
    settings: Settings, partial: Path, staging: Path, database_file: Path, manifest: Manifest, out_dir: Path
) -> None:
    writer = ArchiveWriter(partial, scratch=staging)
    try:
        writer.add_file(manifest.database_file, database_file)
        for key in manifest.objects:
            writer.add_file(f"{OBJECTS_DIR}/{key}", staging / OBJECTS_DIR / key)
        sqlite_file = sqlite.database_path(settings) if settings.is_sqlite else None
        writer.add_tree(DATA_DIR, settings.data_dir, data_rules(settings.data_dir, sqlite_file, out_dir))
        writer.add_tree(WORK_DIR, settings.work_dir, work_rules(out_dir))
        manifest.files = writer.files
        # Written last, once every checksum is known.
        writer.add_manifest(manifest.to_json())
    finally:
        writer.close()
