"""Local-disk specifics: symlinks are never followed, writes are atomic, empty folders are pruned."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from aigc.storage import LocalStorage, StorageError, StorageKeyError


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "artifacts"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A directory outside the root holding a file an attacker would like to read or overwrite."""
    target = tmp_path / "outside"
    target.mkdir()
    (target / "passwd").write_text("root:x:0:0")
    return target


async def test_symlinked_directory_under_the_root_is_not_followed(root: Path, outside: Path) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/ok.txt", b"ok")
    (root / "u1" / "evil").symlink_to(outside, target_is_directory=True)

    with pytest.raises(StorageError, match="symbolic link"):
        await storage.open_stream("u1/evil/passwd")
    with pytest.raises(StorageError, match="symbolic link"):
        await storage.stat("u1/evil/passwd")
    with pytest.raises(StorageError, match="symbolic link"):
        await storage.put_bytes("u1/evil/passwd", b"overwritten")
    with pytest.raises(StorageError, match="symbolic link"):
        await storage.delete_prefix("u1/evil")

    assert (outside / "passwd").read_text() == "root:x:0:0"
    # Listings skip the link instead of walking into it.
    assert [entry.key for entry in await storage.list_prefix("u1")] == ["u1/s1/ok.txt"]


async def test_symlinked_file_is_not_read_and_is_replaced_not_written_through(
    root: Path, outside: Path
) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/ok.txt", b"ok")
    (root / "u1" / "s1" / "link.txt").symlink_to(outside / "passwd")

    with pytest.raises(StorageError, match="symbolic link"):
        await storage.read_bytes("u1/s1/link.txt", 100)

    await storage.put_bytes("u1/s1/link.txt", b"new content")

    assert (outside / "passwd").read_text() == "root:x:0:0"
    assert not (root / "u1" / "s1" / "link.txt").is_symlink()
    assert await storage.read_bytes("u1/s1/link.txt", 100) == b"new content"


async def test_delete_prefix_unlinks_symlinks_inside_without_following(root: Path, outside: Path) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/a.txt", b"a")
    (root / "u1" / "s1" / "escape").symlink_to(outside, target_is_directory=True)

    assert await storage.delete_prefix("u1/s1") == 1

    assert (outside / "passwd").exists()
    assert not (root / "u1").exists()


async def test_delete_prunes_empty_parent_directories_only(root: Path) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/deep/a.txt", b"a")
    await storage.put_bytes("u1/s2/b.txt", b"b")

    await storage.delete("u1/s1/deep/a.txt")

    assert not (root / "u1" / "s1").exists()
    assert (root / "u1" / "s2" / "b.txt").exists()


async def test_writes_leave_no_temporary_files(root: Path) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/a.txt", b"a")
    await storage.put_bytes("u1/s1/a.txt", b"b")

    assert sorted(p.name for p in (root / "u1" / "s1").iterdir()) == ["a.txt"]
    assert list((root / ".aigc" / "tmp").iterdir()) == []


async def test_failed_write_keeps_the_previous_version(root: Path, tmp_path: Path) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/a.txt", b"previous")

    with pytest.raises(StorageError):
        await storage.put_file("u1/s1/a.txt", tmp_path / "does-not-exist.txt")

    assert await storage.read_bytes("u1/s1/a.txt", 100) == b"previous"
    assert list((root / ".aigc" / "tmp").iterdir()) == []


async def test_stat_recomputes_when_the_file_changed_behind_its_metadata(root: Path) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/notes.txt", b"original", "text/plain")
    (root / "u1" / "s1" / "notes.txt").write_bytes(b"edited by hand")
    (root / "u1" / "s1" / "placed.csv").write_bytes(b"a,b\n")

    edited = await storage.stat("u1/s1/notes.txt")
    placed = await storage.stat("u1/s1/placed.csv")

    assert edited is not None and edited.sha256 == hashlib.sha256(b"edited by hand").hexdigest()
    assert placed is not None and placed.content_type == "text/csv" and placed.size == 4


async def test_the_bookkeeping_folder_is_reserved_and_hidden(root: Path) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/a.txt", b"a")

    with pytest.raises(StorageKeyError, match="reserved"):
        await storage.put_bytes(".aigc/meta/x", b"x")
    assert [entry.key async for entry in storage.iter_all()] == ["u1/s1/a.txt"]


async def test_a_key_below_an_existing_file_is_a_storage_error(root: Path) -> None:
    storage = LocalStorage(root)
    await storage.put_bytes("u1/s1/a", b"file")

    with pytest.raises(StorageError, match="u1/s1/a/b"):
        await storage.put_bytes("u1/s1/a/b", b"x")
    assert await storage.stat("u1/s1/a/b") is None


async def test_check_reports_an_unwritable_root(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the root should be")

    with pytest.raises(StorageError, match="artifact directory .* is not usable"):
        await LocalStorage(blocker / "artifacts").check()
