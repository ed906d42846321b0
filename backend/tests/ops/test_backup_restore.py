"""A backup taken while the platform writes restores into a fresh platform with everything committed before it."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import httpx
import pytest

from aigc.core.config import Settings
from aigc.core.migrations import head_revision
from aigc.ops import create_backup, list_backups, restore_backup
from aigc.storage import LocalStorage
from tests.conftest import IS_POSTGRES
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.ops.helpers import fetch_column, read_manifest, tree_contents


async def _register_loop(client: httpx.AsyncClient, stop: asyncio.Event, done: list[str]) -> None:
    """Sign-ups through the real API, as browsers would keep doing during a backup."""
    while not stop.is_set():
        name = f"api{uuid.uuid4().hex[:10]}"
        response = await client.post(
            "/api/v1/auth/register", json={"username": name, "password": DEFAULT_PASSWORD}
        )
        assert response.status_code == 201, response.text
        done.append(name)


async def _insert_loop(stop: asyncio.Event, done: list[str]) -> None:
    """Direct inserts through the service layer, as jobs and agent runs do."""
    while not stop.is_set():
        done.append((await create_user(username=f"svc{uuid.uuid4().hex[:10]}")).username)


def _fill_work_dir(work_dir: Path) -> dict[str, bytes]:
    files = {
        "session-1/report.md": b"# Report\n\nAll good.\n",
        "session-1/nested/data.bin": os.urandom(300_000),
        "session-2/script.sh": b"#!/bin/sh\necho hi\n",
    }
    for name, data in files.items():
        (work_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (work_dir / name).write_bytes(data)
    (work_dir / "session-2" / "script.sh").chmod(0o755)
    (work_dir / "empty-session").mkdir(exist_ok=True)
    return files


class TestBackupWhileWriting:
    async def test_restore_has_every_row_committed_before_the_backup(
        self, client: httpx.AsyncClient, settings: Settings, fresh_settings: Settings, tmp_path: Path
    ) -> None:
        work_files = _fill_work_dir(settings.work_dir)
        artifact = os.urandom(50_000)
        await LocalStorage(settings.data_dir / "artifacts").put_bytes(
            "u1/s1/chart.png", artifact, "image/png"
        )
        stop, done = asyncio.Event(), []
        writers = [
            asyncio.create_task(_register_loop(client, stop, done)),
            asyncio.create_task(_insert_loop(stop, done)),
        ]
        try:
            while len(done) < 20:
                await asyncio.sleep(0.005)
            committed_before = list(done)
            archive = await create_backup(settings, out_dir=tmp_path / "backups")
            written_during = len(done) - len(committed_before)
        finally:
            stop.set()
            await asyncio.gather(*writers)
        assert written_during > 0, "the writers should have kept committing while the backup ran"

        manifest = read_manifest(archive)
        report = await restore_backup(fresh_settings, archive)

        restored = set(await fetch_column(fresh_settings, "SELECT username FROM users"))
        assert set(committed_before) <= restored
        assert len(restored) == manifest["row_counts"]["users"]  # type: ignore[index]
        assert report.schema_revision == head_revision() and not report.needs_upgrade
        restored_files = tree_contents(fresh_settings.work_dir)
        assert {name: restored_files[name] for name in work_files} == work_files
        assert os.access(fresh_settings.work_dir / "session-2" / "script.sh", os.X_OK)
        assert (fresh_settings.work_dir / "empty-session").is_dir()
        store = LocalStorage(fresh_settings.data_dir / "artifacts")
        assert await store.read_bytes("u1/s1/chart.png", 10**6) == artifact
        stored = await store.stat("u1/s1/chart.png")
        assert stored is not None and stored.content_type == "image/png"

    async def test_manifest_describes_the_archive(self, settings: Settings, tmp_path: Path) -> None:
        await create_user(username="manifested")
        archive = await create_backup(settings, out_dir=tmp_path)
        manifest = read_manifest(archive)
        assert manifest["format"] == "aigc-backup" and manifest["format_version"] == 1
        assert manifest["schema_revision"] == head_revision()
        assert manifest["database_kind"] == ("postgresql" if IS_POSTGRES else "sqlite")
        counts = manifest["row_counts"]
        assert isinstance(counts, dict) and counts["users"] == 1 and counts["alembic_version"] == 1
        files = manifest["files"]
        assert isinstance(files, dict) and manifest["database_file"] in files
        assert all(len(entry["sha256"]) == 64 for entry in files.values())


class TestRestoreKeepsPreviousData:
    async def test_replaced_database_and_folders_are_renamed_not_deleted(
        self, settings: Settings, fresh_settings: Settings, tmp_path: Path
    ) -> None:
        await create_user(username="from-backup")
        archive = await create_backup(settings, out_dir=tmp_path / "backups")
        await restore_backup(fresh_settings, archive)
        (fresh_settings.work_dir / "old-session").mkdir(parents=True)
        (fresh_settings.work_dir / "old-session" / "notes.txt").write_text("keep me")

        report = await restore_backup(fresh_settings, archive)

        kept_work = [Path(p) for p in report.set_aside if Path(p).name.startswith("work_dir.before-restore-")]
        assert len(kept_work) == 1 and (kept_work[0] / "old-session" / "notes.txt").read_text() == "keep me"
        assert not (fresh_settings.work_dir / "old-session").exists()
        if IS_POSTGRES:
            assert any(p.startswith("PostgreSQL schema public_before_restore_") for p in report.set_aside)
        else:
            assert any(Path(p).name.startswith("sessions.db.before-restore-") for p in report.set_aside)
        assert await fetch_column(fresh_settings, "SELECT username FROM users") == ["from-backup"]


class TestKeepLast:
    async def test_only_the_newest_archives_remain(self, settings: Settings, tmp_path: Path) -> None:
        made = [await create_backup(settings, out_dir=tmp_path, keep_last=2) for _ in range(3)]
        assert list_backups(tmp_path) == made[1:]
        assert not made[0].exists()

    async def test_zero_is_refused(self, settings: Settings, tmp_path: Path) -> None:
        from aigc.ops import BackupError

        with pytest.raises(BackupError, match="at least 1"):
            await create_backup(settings, out_dir=tmp_path, keep_last=0)
