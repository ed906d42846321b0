"""The contract of ArtifactStorage, checked identically on local disk and on S3."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from aigc.storage import ArtifactStorage, ObjectEntry, StorageError, StorageKeyError, StorageNotFoundError


async def collect(storage: ArtifactStorage, key: str, chunk_size: int = 64 * 1024) -> list[bytes]:
    async with await storage.open_stream(key, chunk_size=chunk_size) as stream:
        return [chunk async for chunk in stream]


async def test_put_bytes_then_stat_read_and_stream(storage: ArtifactStorage) -> None:
    data = b"# Report\n\nhello artifacts\n"
    stored = await storage.put_bytes("u1/s1/report.md", data, "text/markdown")

    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await storage.stat("u1/s1/report.md") == stored
    assert b"".join(await collect(storage, "u1/s1/report.md")) == data
    assert await storage.read_bytes("u1/s1/report.md", max_bytes=8) == data[:8]
    assert await storage.read_bytes("u1/s1/report.md", max_bytes=10_000) == data


async def test_put_file_hashes_the_content_and_guesses_the_type(
    storage: ArtifactStorage, tmp_path: Path
) -> None:
    source = tmp_path / "chart.png"
    source.write_bytes(os.urandom(3000))

    stored = await storage.put_file("u1/s1/out/chart.png", source)

    assert stored.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert stored.content_type == "image/png"
    assert await storage.stat("u1/s1/out/chart.png") == stored


async def test_put_replaces_an_existing_object(storage: ArtifactStorage) -> None:
    await storage.put_bytes("u1/s1/a.txt", b"old version", "text/plain")
    await storage.put_bytes("u1/s1/a.txt", b"new", "text/plain")

    assert await storage.read_bytes("u1/s1/a.txt", 100) == b"new"
    stat = await storage.stat("u1/s1/a.txt")
    assert stat is not None and stat.size == 3 and stat.sha256 == hashlib.sha256(b"new").hexdigest()


async def test_empty_object_round_trips(storage: ArtifactStorage) -> None:
    stored = await storage.put_bytes("u1/s1/empty.txt", b"", "text/plain")

    assert stored.size == 0
    assert await collect(storage, "u1/s1/empty.txt") == []
    assert await storage.read_bytes("u1/s1/empty.txt", 10) == b""


async def test_missing_objects(storage: ArtifactStorage) -> None:
    assert await storage.stat("u1/s1/nope.txt") is None
    with pytest.raises(StorageNotFoundError):
        await storage.open_stream("u1/s1/nope.txt")
    with pytest.raises(StorageNotFoundError):
        await storage.read_bytes("u1/s1/nope.txt", 10)
    await storage.delete("u1/s1/nope.txt")  # deleting what is not there is fine
    assert await storage.delete_prefix("u9/none") == 0
    assert await storage.list_prefix("u9/none") == []


async def test_delete_removes_only_that_object(storage: ArtifactStorage) -> None:
    await storage.put_bytes("u1/s1/a.txt", b"a")
    await storage.put_bytes("u1/s1/b.txt", b"b")

    await storage.delete("u1/s1/a.txt")

    assert await storage.stat("u1/s1/a.txt") is None
    assert [entry.key for entry in await storage.list_prefix("u1/s1")] == ["u1/s1/b.txt"]


async def test_delete_prefix_matches_whole_segments(storage: ArtifactStorage) -> None:
    for key in ["u1/s1/a.txt", "u1/s1/deep/er/b.txt", "u1/s10/keep.txt", "u2/s1/keep.txt"]:
        await storage.put_bytes(key, key.encode())

    assert await storage.delete_prefix("u1/s1") == 2

    assert [entry.key for entry in await storage.list_prefix("")] == ["u1/s10/keep.txt", "u2/s1/keep.txt"]
    assert await storage.stat("u1/s1/deep/er/b.txt") is None


async def test_list_prefix_and_iter_all_are_in_key_order(storage: ArtifactStorage) -> None:
    # `a/b.txt` sorts before `a/b/c` because "." < "/": a directory walk must not list the folder first.
    keys = ["u1/s1/b/c.txt", "u1/s1/b.txt", "u1/s1/a.txt", "u2/s1/z.bin"]
    for key in keys:
        await storage.put_bytes(key, b"x" * len(key))

    assert await storage.list_prefix("u1/s1/") == [
        ObjectEntry("u1/s1/a.txt", 11),
        ObjectEntry("u1/s1/b.txt", 11),
        ObjectEntry("u1/s1/b/c.txt", 13),
    ]
    assert [entry.key async for entry in storage.iter_all()] == sorted(keys)


async def test_large_file_streams_in_bounded_chunks(storage: ArtifactStorage, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(8 * 1024 * 1024))

    stored = await storage.put_file("u1/s1/big.bin", source, "application/octet-stream")
    chunks = await collect(storage, "u1/s1/big.bin", chunk_size=256 * 1024)

    assert stored.size == 8 * 1024 * 1024
    assert len(chunks) >= 32 and max(len(chunk) for chunk in chunks) <= 256 * 1024
    assert hashlib.sha256(b"".join(chunks)).hexdigest() == stored.sha256


async def test_stream_closed_early_releases_cleanly(storage: ArtifactStorage) -> None:
    await storage.put_bytes("u1/s1/data.bin", os.urandom(300_000))

    stream = await storage.open_stream("u1/s1/data.bin", chunk_size=1024)
    first = await anext(stream)
    await stream.aclose()

    assert len(first) == 1024
    assert [chunk async for chunk in stream] == []
    # The backend is still usable after an abandoned download (the connection went back to the pool).
    assert len(await storage.read_bytes("u1/s1/data.bin", 10)) == 10


@pytest.mark.parametrize("key", ["../x", "/abs", "a/../../b", "a\\b", "a/\x00b", ""])
async def test_every_operation_rejects_unsafe_keys(
    storage: ArtifactStorage, key: str, tmp_path: Path
) -> None:
    source = tmp_path / "f.txt"
    source.write_text("x")
    for attempt in (
        storage.put_bytes(key, b"x"),
        storage.put_file(key, source),
        storage.open_stream(key),
        storage.stat(key),
        storage.delete(key),
        storage.delete_prefix(key),
        storage.list_prefix(key or "/"),
    ):
        with pytest.raises(StorageKeyError):
            await attempt


async def test_symlinked_source_files_are_not_uploaded(storage: ArtifactStorage, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("server secret")
    planted = tmp_path / "innocent.txt"
    planted.symlink_to(secret)

    with pytest.raises(StorageError, match="symbolic link"):
        await storage.put_file("u1/s1/innocent.txt", planted)
    assert await storage.stat("u1/s1/innocent.txt") is None


async def test_check_passes_on_a_working_backend(storage: ArtifactStorage) -> None:
    await storage.check()
    await storage.put_bytes("u1/s1/after-check.txt", b"ok")
    assert await storage.read_bytes("u1/s1/after-check.txt", 2) == b"ok"
