"""Upload a batch of files in the background so an agent's event stream never waits on storage."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aigc.storage.base import ArtifactStorage, StoredObject

logger = logging.getLogger(__name__)

DEFAULT_UPLOAD_CONCURRENCY = 4

# asyncio keeps only weak references to tasks; without this a running upload could be garbage-collected.
_running: set[asyncio.Task[list[UploadResult]]] = set()


@dataclass(frozen=True, slots=True)
class UploadItem:
    """One file to store under `key`."""

    key: str
    source_path: Path
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class UploadResult:
    """The outcome of one item: `stored` on success, `error` (a readable message) on failure."""

    item: UploadItem
    stored: StoredObject | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.stored is not None


ResultCallback = Callable[[UploadResult], Awaitable[None] | None]


def upload_in_background(
    storage: ArtifactStorage,
    items: Sequence[UploadItem],
    *,
    concurrency: int = DEFAULT_UPLOAD_CONCURRENCY,
    on_result: ResultCallback | None = None,
) -> asyncio.Task[list[UploadResult]]:
    """Start uploading; the task returns one result per item, in order, and never raises for a failed item."""
    uploads = _upload_all(storage, list(items), concurrency, on_result)
    task = asyncio.create_task(uploads, name="artifact-uploads")
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task


async def _upload_all(
    storage: ArtifactStorage, items: list[UploadItem], concurrency: int, on_result: ResultCallback | None
) -> list[UploadResult]:
    limit = asyncio.Semaphore(max(1, concurrency))

    async def upload(item: UploadItem) -> UploadResult:
        async with limit:
            try:
                stored = await storage.put_file(item.key, item.source_path, item.content_type)
                result = UploadResult(item, stored=stored)
            except Exception as exc:  # any failure becomes a result; the caller's stream must keep going
                logger.warning("Artifact upload of %s failed: %s", item.key, exc)
                result = UploadResult(item, error=str(exc) or type(exc).__name__)
        await _notify(on_result, result)
        return result

    return list(await asyncio.gather(*(upload(item) for item in items)))


async def _notify(on_result: ResultCallback | None, result: UploadResult) -> None:
    if on_result is None:
        return
    try:
        outcome = on_result(result)
        if inspect.isawaitable(outcome):
            await outcome
    except Exception:
        # A broken callback must not turn a stored artifact into a lost one.
        logger.exception("Artifact upload callback failed for %s", result.item.key)
