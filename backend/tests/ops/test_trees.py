"""What a backup copies from data_dir and work_dir, and how a restore puts the old folders aside."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from aigc.ops import trees
from aigc.ops.trees import data_rules, set_aside_folder, walk, work_rules


def _touch(path: Path, data: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_backup_leaves_out_lock_scratch_key_helper_database_and_kept_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for name in (
        "run/server.lock",
        "agent/tmp/socket-scratch",
        "agent/bin/api-key-helper",
        "agent/claude-config/projects/p/abc.jsonl",
        "artifacts/.aigc/tmp/partial.tmp",
        "artifacts/.aigc/meta/ab/abcd.json",
        "artifacts/u1/s1/chart.png",
        "artifacts.before-restore-20250101-000000-000001/u0/old.txt",
        ".restore-20250101-000000-000001/manifest.json",
        "sessions.db",
        "sessions.db-wal",
    ):
        _touch(data / name)
    os.symlink("/etc/hostname", data / "artifacts" / "escape")

    found = {
        rel
        for rel, _, is_dir in walk(data, data_rules(data, data / "sessions.db", tmp_path / "backups"))
        if not is_dir
    }

    assert found == {
        "agent/claude-config/projects/p/abc.jsonl",
        "artifacts/.aigc/meta/ab/abcd.json",
        "artifacts/u1/s1/chart.png",
    }


def test_backups_inside_the_work_dir_parent_are_not_walked(tmp_path: Path) -> None:
    work = tmp_path / "work_dir"
    _touch(work / "s1" / "out.txt")
    _touch(work / "archives" / "aigc-backup-20250101-000000.tar.gz")
    found = {rel for rel, _, is_dir in walk(work, work_rules(work / "archives")) if not is_dir}
    assert found == {"s1/out.txt"}


def test_a_mount_point_keeps_its_old_entries_inside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work_dir"
    _touch(work / "s1" / "out.txt", b"old")
    real_replace = os.replace

    def replace(src: os.PathLike[str] | str, dst: os.PathLike[str] | str) -> None:
        if Path(src) == work:  # what renaming a Docker volume's mount point does
            raise OSError(errno.EBUSY, "Device or resource busy")
        real_replace(src, dst)

    monkeypatch.setattr(trees.os, "replace", replace)
    kept = set_aside_folder(work, ".before-restore-x")

    assert kept == work / ".before-restore-x"
    assert (kept / "s1" / "out.txt").read_bytes() == b"old"
    assert [child.name for child in work.iterdir()] == [".before-restore-x"]
    # The next backup of work_dir does not carry the kept entries along.
    assert not [rel for rel, _, _ in walk(work, work_rules(tmp_path / "backups"))]


def test_what_an_earlier_restore_kept_is_never_overwritten(tmp_path: Path) -> None:
    work = tmp_path / "work_dir"
    _touch(work / "new.txt")
    _touch(tmp_path / "work_dir.before-restore-x" / "old.txt")
    with pytest.raises(FileExistsError, match="refusing to overwrite"):
        set_aside_folder(work, ".before-restore-x")
    assert (tmp_path / "work_dir.before-restore-x" / "old.txt").exists()
