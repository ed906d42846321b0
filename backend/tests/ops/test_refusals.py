"""A restore refuses, changing nothing, when the server runs or the archive cannot be trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aigc.core.config import Settings
from aigc.ops import (
    RestoreFailedError,
    RestoreRefusedError,
    ServerRunningError,
    create_backup,
    hold_server_lock,
    restore_backup,
)
from tests.conftest import IS_POSTGRES
from tests.factories import create_user
from tests.ops.helpers import fetch_column, rewrite_archive, sha256, with_manifest

SENTINEL = b"data that must survive a refused restore"


@pytest.fixture
async def archive(settings: Settings, tmp_path: Path) -> Path:
    await create_user(username="archived")
    (settings.work_dir / "s1").mkdir(parents=True, exist_ok=True)
    (settings.work_dir / "s1" / "out.txt").write_text("session output")
    return await create_backup(settings, out_dir=tmp_path / "backups")


@pytest.fixture
def sentinel(fresh_settings: Settings) -> Path:
    """A file in the target's work_dir; every refusal must leave it where it is."""
    path = fresh_settings.work_dir / "existing" / "keep.bin"
    path.parent.mkdir(parents=True)
    path.write_bytes(SENTINEL)
    return path


async def _refused(settings: Settings, archive: Path, sentinel: Path, match: str) -> None:
    with pytest.raises(RestoreRefusedError, match=match):
        await restore_backup(settings, archive)
    assert sentinel.read_bytes() == SENTINEL
    assert not list(settings.work_dir.parent.glob("*before-restore*"))


class TestRefusals:
    async def test_while_the_server_runs(
        self, fresh_settings: Settings, archive: Path, sentinel: Path
    ) -> None:
        with hold_server_lock(fresh_settings), pytest.raises(ServerRunningError, match="server is running"):
            await restore_backup(fresh_settings, archive)
        assert sentinel.read_bytes() == SENTINEL

    async def test_newer_schema_revision(
        self, fresh_settings: Settings, archive: Path, sentinel: Path, tmp_path: Path
    ) -> None:
        future = rewrite_archive(
            archive,
            tmp_path / "future.tar.gz",
            with_manifest(lambda m: m.update(schema_revision="9999_future")),
        )
        await _refused(fresh_settings, future, sentinel, "9999_future is newer than this code knows")

    async def test_checksum_mismatch(
        self, fresh_settings: Settings, archive: Path, sentinel: Path, tmp_path: Path
    ) -> None:
        def tamper(name: str, data: bytes) -> bytes:
            return b"tampered" if name == "work_dir/s1/out.txt" else data

        damaged = rewrite_archive(archive, tmp_path / "damaged.tar.gz", tamper)
        await _refused(fresh_settings, damaged, sentinel, "Checksum mismatch for work_dir/s1/out.txt")

    async def test_missing_manifest(
        self, fresh_settings: Settings, archive: Path, sentinel: Path, tmp_path: Path
    ) -> None:
        bare = rewrite_archive(
            archive, tmp_path / "bare.tar.gz", lambda name, data: None if name == "manifest.json" else data
        )
        await _refused(fresh_settings, bare, sentinel, "has no manifest.json")

    async def test_file_not_in_manifest(
        self, fresh_settings: Settings, archive: Path, sentinel: Path, tmp_path: Path
    ) -> None:
        def drop_entry(manifest: dict[str, object]) -> None:
            files = manifest["files"]
            assert isinstance(files, dict)
            files.pop("work_dir/s1/out.txt")

        smuggled = rewrite_archive(archive, tmp_path / "smuggled.tar.gz", with_manifest(drop_entry))
        await _refused(fresh_settings, smuggled, sentinel, "files its manifest does not list")

    async def test_not_an_archive(self, fresh_settings: Settings, sentinel: Path, tmp_path: Path) -> None:
        junk = tmp_path / "junk.tar.gz"
        junk.write_bytes(b"not a tarball")
        await _refused(fresh_settings, junk, sentinel, "not a readable backup archive")

    @pytest.mark.skipif(IS_POSTGRES, reason="SQLite's own integrity check")
    async def test_damaged_database_with_matching_checksums(
        self, fresh_settings: Settings, archive: Path, sentinel: Path, tmp_path: Path
    ) -> None:
        # Someone rebuilt the manifest around a broken database: the checksums pass, SQLite does not.
        junk = b"SQLite format 3\x00" + b"\xff" * 4080

        def replace_database(name: str, data: bytes) -> bytes:
            if name == "database/sessions.db":
                return junk
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["files"]["database/sessions.db"] = {"sha256": sha256(junk), "size": len(junk)}
                return json.dumps(manifest).encode()
            return data

        broken = rewrite_archive(archive, tmp_path / "broken.tar.gz", replace_database)
        await _refused(fresh_settings, broken, sentinel, "SQLite")


@pytest.mark.skipif(not IS_POSTGRES, reason="pg_restore's failure path")
async def test_failed_pg_restore_puts_the_previous_schema_back(
    fresh_settings: Settings, archive: Path, tmp_path: Path
) -> None:
    await restore_backup(fresh_settings, archive)
    junk = b"PGDMP" + b"\x00" * 200  # a custom-format header with nothing readable behind it

    def replace_dump(name: str, data: bytes) -> bytes:
        if name == "database/postgres.dump":
            return junk
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["files"]["database/postgres.dump"] = {"sha256": sha256(junk), "size": len(junk)}
            return json.dumps(manifest).encode()
        return data

    broken = rewrite_archive(archive, tmp_path / "broken-dump.tar.gz", replace_dump)
    with pytest.raises(RestoreFailedError, match="nothing was changed"):
        await restore_backup(fresh_settings, broken)

    assert await fetch_column(fresh_settings, "SELECT username FROM users") == ["archived"]
    schemas = await fetch_column(
        fresh_settings, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'public%'"
    )
    assert len(schemas) == 2  # public, and the one the first restore kept aside
