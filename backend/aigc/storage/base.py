"""The artifact storage interface every backend implements."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from aigc.storage.streams import DEFAULT_CHUNK_SIZE, ByteStream


@dataclass(frozen=True, slots=True)
class StoredObject:
    """A stored artifact's identity and integrity data."""

    key: str
    size: int
    sha256: str
    content_type: str


@dataclass(frozen=True, slots=True)
class ObjectEntry:
    """One line of a listing: cheap to produce on every backend (call `stat` for the rest)."""

    key: str
    size: int


class ArtifactStorage(abc.ABC):
    """Async object storage for artifacts; keys look like `<user_id>/<session_id>/<relative path>`."""

    backend_name: str

    @abc.abstractmethod
    async def put_file(self, key: str, source_path: Path, content_type: str | None = None) -> StoredObject:
        """Store a regular file (never through a symlink); the content type is guessed when omitted."""

    @abc.abstractmethod
    async def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> StoredObject:
        """Store `data` under `key`, replacing any previous object."""

    @abc.abstractmethod
    async def put_fileobj(self, key: str, source: BinaryIO, content_type: str | None = None) -> StoredObject:
        """Store an open binary file from its start (an upload's spooled body); read in a worker thread."""

    @abc.abstractmethod
    async def open_stream(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> ByteStream:
        """Open `key` for reading; raises StorageNotFoundError now, not on the first chunk."""

    @abc.abstractmethod
    async def stat(self, key: str) -> StoredObject | None:
        """Describe `key`, or None when it does not exist."""

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Delete `key`; deleting a missing key is not an error."""

    @abc.abstractmethod
    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object under `prefix` (whole segments) and return how many were deleted."""

    @abc.abstractmethod
    def iter_prefix(self, prefix: str) -> AsyncIterator[ObjectEntry]:
        """Yield the objects under `prefix` (`""` for all) in key order, page by page."""

    @abc.abstractmethod
    async def check(self) -> None:
        """Raise StorageError unless the backend is reachable and writable."""

    async def read_bytes(self, key: str, max_bytes: int) -> bytes:
        """Return at most the first `max_bytes` bytes of `key` (for previews)."""
        if max_bytes <= 0:
            return b""
        parts: list[bytes] = []
        remaining = max_bytes
        async with await self.open_stream(key, chunk_size=min(max_bytes, DEFAULT_CHUNK_SIZE)) as stream:
            async for chunk in stream:
                parts.append(chunk[:remaining])
                remaining -= len(parts[-1])
                if remaining <= 0:
                    break
        return b"".join(parts)

    async def list_prefix(self, prefix: str) -> list[ObjectEntry]:
        """Return the objects under `prefix` in key order."""
        return [entry async for entry in self.iter_prefix(prefix)]

    def iter_all(self) -> AsyncIterator[ObjectEntry]:
        """Yield every stored object in key order (for backups)."""
        return self.iter_prefix("")
