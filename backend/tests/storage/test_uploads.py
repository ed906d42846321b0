"""Background uploads: bounded, ordered results, failures captured instead of raised."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aigc.storage import (
    ArtifactStorage,
    LocalStorage,
    StoredObject,
    UploadItem,
    UploadResult,
    upload_in_background,
)


def make_files(directory: Path, count: int) -> list[UploadItem]:
    items = []
    for index in range(count):
        path = directory / f"file-{index}.txt"
        path.write_text(f"content {index}")
        items.append(UploadItem(key=f"u1/s1/file-{index}.txt", source_path=path))
    return items


async def test_batch_uploads_in_background_and_reports_the_failing_item(
    storage: ArtifactStorage, tmp_path: Path
) -> None:
    items = make_files(tmp_path, 3)
    items.insert(1, UploadItem(key="u1/s1/missing.txt", source_path=tmp_path / "missing.txt"))
    reported: list[UploadResult] = []

    async def on_result(result: UploadResult) -> None:
        reported.append(result)

    task = upload_in_background(storage, items, concurrency=2, on_result=on_result)
    results = await task

    assert [result.item for result in results] == items
    assert [result.ok for result in results] == [True, False, True, True]
    assert results[1].error is not None and "does not exist" in results[1].error
    assert sorted(r.item.key for r in reported) == sorted(item.key for item in items)
    assert await storage.read_bytes("u1/s1/file-2.txt", 100) == b"content 2"


class SlowStorage(LocalStorage):
    """Local storage whose uploads take a while, recording how many run at once."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.running = 0
        self.peak = 0

    async def put_file(self, key: str, source_path: Path, content_type: str | None = None) -> StoredObject:
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(0.02)
            return await super().put_file(key, source_path, content_type)
        finally:
            self.running -= 1


async def test_concurrency_is_bounded_and_the_caller_is_not_blocked(tmp_path: Path) -> None:
    items = make_files(tmp_path, 8)

    storage = SlowStorage(tmp_path / "store")
    task = upload_in_background(storage, items, concurrency=3)
    # The caller gets control back at once; the uploads have not even started.
    assert not task.done()
    results = await task

    assert all(result.ok for result in results)
    assert storage.peak == 3


async def test_a_failing_callback_does_not_lose_results(tmp_path: Path) -> None:
    items = make_files(tmp_path, 2)

    def broken(result: UploadResult) -> None:
        raise RuntimeError("callback bug")

    results = await upload_in_background(LocalStorage(tmp_path / "store"), items, on_result=broken)

    assert [result.ok for result in results] == [True, True]
