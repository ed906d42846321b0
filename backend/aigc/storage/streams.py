"""Threaded I/O helpers shared by the backends: chunked reads, safe source files, content types."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import os
import stat
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import BinaryIO, TypeVar

from aigc.storage.errors import StorageError

DEFAULT_CHUNK_SIZE = 256 * 1024
# Listings cross into a thread once per page rather than once per object.
LIST_PAGE_SIZE = 500
FALLBACK_CONTENT_TYPE = "application/octet-stream"

T = TypeVar("T")


class ByteStream:
    """An async iterator of chunks read in a worker thread; closes its source when done or on `aclose()`."""

    def __init__(self, read: Callable[[int], bytes], close: Callable[[], None], chunk_size: int) -> None:
        self._read = read
        self._close = close
        self._chunk_size = chunk_size
        self._closed = False

    def __aiter__(self) -> ByteStream:
        return self

    async def __anext__(self) -> bytes:
        if self._closed:
            raise StopAsyncIteration
        try:
            chunk = await asyncio.to_thread(self._read, self._chunk_size)
        except Exception as exc:
            await self.aclose()
            raise StorageError(f"Reading the stored artifact failed: {exc}") from exc
        if not chunk:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        """Release the file or connection; safe to call twice."""
        if not self._closed:
            self._closed = True
            await asyncio.to_thread(self._close)

    async def __aenter__(self) -> ByteStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # A client that disconnects mid-download may drop the iterator without closing it.
        if not self._closed:
            self._closed = True
            self._close()


async def iterate_in_thread(
    make_iterator: Callable[[], Iterator[T]], page_size: int = LIST_PAGE_SIZE
) -> AsyncIterator[T]:
    """Drive a blocking iterator from a worker thread, one page at a time."""
    iterator = await asyncio.to_thread(make_iterator)
    while True:
        page = await asyncio.to_thread(_take, iterator, page_size)
        for item in page:
            yield item
        if len(page) < page_size:
            return


def _take(iterator: Iterator[T], count: int) -> list[T]:
    page: list[T] = []
    for item in iterator:
        page.append(item)
        if len(page) >= count:
            break
    return page


def open_source_file(path: Path) -> BinaryIO:
    """Open a file to upload, refusing symlinks and non-regular files (FIFOs would block forever)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise StorageError(f"Cannot store {path}: the file does not exist") from None
    except OSError as exc:
        if os.path.islink(path):
            raise StorageError(f"Cannot store {path}: it is a symbolic link, never followed") from None
        raise StorageError(f"Cannot store {path}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StorageError(f"Cannot store {path}: it is not a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def sha256_of_file(source: BinaryIO) -> tuple[str, int]:
    """Hash an open file from its current position; return the hex digest and the byte count."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(DEFAULT_CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def resolve_content_type(key: str, content_type: str | None) -> str:
    """Use the given content type when sane, else guess from the key's extension."""
    if content_type and "/" in content_type and content_type.isprintable():
        return content_type.strip()
    guessed, _ = mimetypes.guess_type(key, strict=False)
    return guessed or FALLBACK_CONTENT_TYPE
