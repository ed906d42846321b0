"""Artifact storage on the local disk: atomic writes, no symlink is ever followed below the root."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import json
import os
import secrets
import stat
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, TypeVar

from aigc.storage.base import ArtifactStorage, ObjectEntry, StoredObject
from aigc.storage.errors import StorageError, StorageKeyError, StorageNotFoundError
from aigc.storage.keys import validate_key, validate_prefix
from aigc.storage.streams import (
    DEFAULT_CHUNK_SIZE,
    ByteStream,
    iterate_in_thread,
    open_source_file,
    resolve_content_type,
    sha256_of_file,
)

# Bookkeeping lives beside the objects under a name no key may start with:
#   <root>/.aigc/meta/<h[:2]>/<h>.json  content type and sha256 per key (h = sha256 of the key)
#   <root>/.aigc/tmp/                    temporary files, renamed into place when complete
INTERNAL_DIR = ".aigc"
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
T = TypeVar("T")


class LocalStorage(ArtifactStorage):
    """Objects are files at `<root>/<key>`; metadata sits in `<root>/.aigc`."""

    backend_name = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # --- public API
    async def put_file(self, key: str, source_path: Path, content_type: str | None = None) -> StoredObject:
        """Copy a regular file into the store, hashing it on the way."""

        def write(out: BinaryIO) -> tuple[str, int]:
            with open_source_file(source_path) as source:
                return _copy_hashing(source, out)

        return await self._in_thread("store", key, self._put, key, write, content_type)

    async def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> StoredObject:
        """Write `data` to the store atomically."""

        def write(out: BinaryIO) -> tuple[str, int]:
            out.write(data)
            return hashlib.sha256(data).hexdigest(), len(data)

        return await self._in_thread("store", key, self._put, key, write, content_type)

    async def put_fileobj(self, key: str, source: BinaryIO, content_type: str | None = None) -> StoredObject:
        """Copy an open file into the store from its start, hashing it on the way."""

        def write(out: BinaryIO) -> tuple[str, int]:
            source.seek(0)
            return _copy_hashing(source, out)

        return await self._in_thread("store", key, self._put, key, write, content_type)

    async def open_stream(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> ByteStream:
        """Open the object file without following symlinks and stream it in chunks."""
        source = await self._in_thread("read", key, self._open_object, key)
        if source is None:
            raise StorageNotFoundError(key)
        return ByteStream(source.read, source.close, chunk_size)

    async def stat(self, key: str) -> StoredObject | None:
        """Describe the object, recomputing the hash if the metadata is missing or stale."""
        return await self._in_thread("inspect", key, self._stat, key)

    async def delete(self, key: str) -> None:
        """Remove the object and its metadata, then any directories it leaves empty."""
        await self._in_thread("delete", key, self._delete, key)

    async def delete_prefix(self, prefix: str) -> int:
        """Remove the directory tree at `prefix` (symlinks inside are unlinked, never followed)."""
        return await self._in_thread("delete", prefix, self._delete_prefix, prefix)

    async def iter_prefix(self, prefix: str) -> AsyncIterator[ObjectEntry]:
        """Walk the tree at `prefix` in key order, skipping symlinks and bookkeeping."""
        parts = self._prefix_parts(prefix)
        try:
            async for entry in iterate_in_thread(lambda: self._walk(parts)):
                yield entry
        except OSError as exc:
            raise _storage_error("list", prefix, exc) from exc

    async def check(self) -> None:
        """Create the root if needed and prove it is writable with a probe file."""
        try:
            await asyncio.to_thread(self._probe)
        except OSError as exc:
            raise StorageError(f"The artifact directory {self.root} is not usable: {_reason(exc)}") from exc

    # --- helpers that run in a worker thread
    async def _in_thread(self, action: str, key: str, func: Callable[..., T], *args: object) -> T:
        try:
            return await asyncio.to_thread(func, *args)
        except OSError as exc:
            raise _storage_error(action, key, exc) from exc

    def _put(
        self, key: str, write: Callable[[BinaryIO], tuple[str, int]], content_type: str | None
    ) -> StoredObject:
        parts = self._key_parts(key)
        resolved_type = resolve_content_type(key, content_type)
        with self._open_dir(parts[:-1], create=True) as parent_fd:
            digest, size = self._write_atomically(parent_fd, parts[-1], write)
            info = os.stat(parts[-1], dir_fd=parent_fd, follow_symlinks=False)
        record = {
            "key": key,
            "size": size,
            "mtime_ns": info.st_mtime_ns,
            "sha256": digest,
            "content_type": resolved_type,
        }
        meta_dir, meta_name = self._meta_location(key)
        with self._open_dir(meta_dir, create=True) as meta_fd:
            payload = json.dumps(record).encode()
            self._write_atomically(meta_fd, meta_name, lambda out: out.write(payload))
        return StoredObject(key=key, size=size, sha256=digest, content_type=resolved_type)

    def _write_atomically(self, dir_fd: int, name: str, write: Callable[[BinaryIO], T]) -> T:
        """Write to a temp file, fsync it and rename it over `name`: readers see old or new, never half."""
        temp_name = f"{secrets.token_hex(12)}.tmp"
        with self._open_dir([INTERNAL_DIR, "tmp"], create=True) as temp_fd:
            fd = os.open(temp_name, _NEW_FILE_FLAGS, 0o644, dir_fd=temp_fd)
            try:
                with os.fdopen(fd, "wb") as out:
                    result = write(out)
                    out.flush()
                    os.fsync(out.fileno())
                # rename() replaces a symlink at `name` itself rather than writing through it.
                os.replace(temp_name, name, src_dir_fd=temp_fd, dst_dir_fd=dir_fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temp_name, dir_fd=temp_fd)
                raise
        return result

    def _open_object(self, key: str) -> BinaryIO | None:
        parts = self._key_parts(key)
        try:
            with self._open_dir(parts[:-1], create=False) as parent_fd:
                fd = _open_no_follow(parts[-1], parent_fd, os.O_RDONLY)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            return None
        return os.fdopen(fd, "rb")

    def _stat(self, key: str) -> StoredObject | None:
        source = self._open_object(key)
        if source is None:
            return None
        with source:
            info = os.fstat(source.fileno())
            known = self._read_meta(key, info)
            if known is not None:
                return known
            # Files placed by hand (or a crash between data and metadata) still describe themselves correctly.
            digest, size = sha256_of_file(source)
        return StoredObject(key=key, size=size, sha256=digest, content_type=resolve_content_type(key, None))

    def _read_meta(self, key: str, info: os.stat_result) -> StoredObject | None:
        """The recorded metadata, if it was written for exactly this version of the file."""
        meta_dir, meta_name = self._meta_location(key)
        try:
            with self._open_dir(meta_dir, create=False) as meta_fd:
                fd = _open_no_follow(meta_name, meta_fd, os.O_RDONLY)
            with os.fdopen(fd, "rb") as meta_file:
                record = json.loads(meta_file.read())
        except (OSError, ValueError):
            return None
        expected = {"key": key, "size": info.st_size, "mtime_ns": info.st_mtime_ns}
        if not isinstance(record, dict) or any(record.get(name) != value for name, value in expected.items()):
            return None
        sha256, content_type = record.get("sha256"), record.get("content_type")
        if not isinstance(sha256, str) or not isinstance(content_type, str):
            return None
        return StoredObject(key=key, size=info.st_size, sha256=sha256, content_type=content_type)

    def _delete(self, key: str) -> None:
        parts = self._key_parts(key)
        try:
            with self._open_dir(parts[:-1], create=False) as parent_fd:
                os.unlink(parts[-1], dir_fd=parent_fd)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return
        except PermissionError as exc:
            # unlink() of a directory is EISDIR on Linux, EPERM elsewhere: not an object either way.
            if exc.errno != errno.EPERM:
                raise
            return
        self._delete_meta([key])
        self._prune_empty(parts[:-1])

    def _delete_prefix(self, prefix: str) -> int:
        parts = self._prefix_parts(prefix)
        if not parts:
            raise StorageKeyError("Refusing to delete every artifact: the prefix is empty")
        deleted: list[str] = []
        try:
            with self._open_dir(parts[:-1], create=False) as parent_fd:
                with _child_dir(parts[-1], parent_fd) as top_fd:
                    _remove_tree(top_fd, "/".join(parts), deleted)
                os.rmdir(parts[-1], dir_fd=parent_fd)
        except (FileNotFoundError, NotADirectoryError):
            return len(deleted)
        self._delete_meta(deleted)
        self._prune_empty(parts[:-1])
        return len(deleted)

    def _walk(self, parts: Sequence[str]) -> Iterator[ObjectEntry]:
        try:
            with self._open_dir(parts, create=False) as fd:
                yield from _walk_dir(fd, "".join(f"{part}/" for part in parts), skip_internal=not parts)
        except (FileNotFoundError, NotADirectoryError):
            return

    def _probe(self) -> None:
        with self._open_dir([INTERNAL_DIR, "tmp"], create=True) as temp_fd:
            name = f"probe-{secrets.token_hex(6)}"
            fd = os.open(name, _NEW_FILE_FLAGS, 0o600, dir_fd=temp_fd)
            os.close(fd)
            os.unlink(name, dir_fd=temp_fd)

    # --- paths and directories
    def _key_parts(self, key: str) -> list[str]:
        parts = validate_key(key).split("/")
        if parts[0] == INTERNAL_DIR:
            raise StorageKeyError(f"Storage key {key!r} uses the reserved folder {INTERNAL_DIR!r}")
        return parts

    def _prefix_parts(self, prefix: str) -> list[str]:
        normalised = validate_prefix(prefix, allow_empty=True)
        return self._key_parts(normalised[:-1]) if normalised else []

    @staticmethod
    def _meta_location(key: str) -> tuple[list[str], str]:
        digest = hashlib.sha256(key.encode()).hexdigest()
        return [INTERNAL_DIR, "meta", digest[:2]], f"{digest}.json"

    @contextlib.contextmanager
    def _open_dir(self, parts: Sequence[str], *, create: bool) -> Iterator[int]:
        """Yield a descriptor for `<root>/<parts>`, opened one segment at a time so no symlink is followed."""
        if create:
            self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            for part in parts:
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=fd)
                next_fd = _open_no_follow(part, fd, _DIR_FLAGS)
                os.close(fd)
                fd = next_fd
            yield fd
        finally:
            os.close(fd)

    def _delete_meta(self, keys: Sequence[str]) -> None:
        for key in keys:
            meta_dir, meta_name = self._meta_location(key)
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                with self._open_dir(meta_dir, create=False) as meta_fd:
                    os.unlink(meta_name, dir_fd=meta_fd)

    def _prune_empty(self, parents: Sequence[str]) -> None:
        """Remove now-empty directories from the deepest up, stopping at the first one still in use."""
        for depth in range(len(parents), 0, -1):
            try:
                with self._open_dir(parents[: depth - 1], create=False) as fd:
                    os.rmdir(parents[depth - 1], dir_fd=fd)
            except OSError:
                return


@contextlib.contextmanager
def _child_dir(name: str, dir_fd: int) -> Iterator[int]:
    """Open the sub-directory `name` of `dir_fd` without following a symlink, closing it afterwards."""
    fd = _open_no_follow(name, dir_fd, _DIR_FLAGS)
    try:
        yield fd
    finally:
        os.close(fd)


def _open_no_follow(name: str, dir_fd: int, flags: int) -> int:
    """Open `name` relative to `dir_fd`; a symlink there raises StorageError instead of being followed."""
    try:
        return os.open(name, flags | os.O_NOFOLLOW, dir_fd=dir_fd)
    except OSError as exc:
        # O_NOFOLLOW reports a symlink as ELOOP, or as ENOTDIR together with O_DIRECTORY.
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            with contextlib.suppress(OSError):
                if stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
                    raise StorageError(
                        f"Refusing to follow the symbolic link {name!r} inside the artifact store"
                    ) from None
        raise


def _remove_tree(dir_fd: int, key_prefix: str, deleted: list[str]) -> None:
    """Delete everything below `dir_fd`, recording the keys of the regular files removed."""
    with os.scandir(dir_fd) as entries:
        children = list(entries)
    for entry in children:
        if entry.is_dir(follow_symlinks=False):
            with _child_dir(entry.name, dir_fd) as child_fd:
                _remove_tree(child_fd, f"{key_prefix}/{entry.name}", deleted)
            os.rmdir(entry.name, dir_fd=dir_fd)
        else:
            is_object = entry.is_file(follow_symlinks=False)
            os.unlink(entry.name, dir_fd=dir_fd)
            if is_object:
                deleted.append(f"{key_prefix}/{entry.name}")


def _walk_dir(dir_fd: int, key_prefix: str, *, skip_internal: bool) -> Iterator[ObjectEntry]:
    """Yield regular files below `dir_fd` in the byte order S3 lists keys in."""
    with os.scandir(dir_fd) as scanned:
        entries = [entry for entry in scanned if not (skip_internal and entry.name == INTERNAL_DIR)]
    # Sorting a directory as "name/" keeps `a/b.txt` before `a/b/c`, exactly as a flat key sort would.
    entries.sort(key=lambda entry: entry.name + "/" if entry.is_dir(follow_symlinks=False) else entry.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            with _child_dir(entry.name, dir_fd) as child_fd:
                yield from _walk_dir(child_fd, f"{key_prefix}{entry.name}/", skip_internal=False)
        elif entry.is_file(follow_symlinks=False):
            yield ObjectEntry(key=f"{key_prefix}{entry.name}", size=entry.stat(follow_symlinks=False).st_size)


def _copy_hashing(source: BinaryIO, out: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(DEFAULT_CHUNK_SIZE):
        digest.update(chunk)
        out.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _storage_error(action: str, key: str, exc: OSError) -> StorageError:
    return StorageError(f"Could not {action} {key!r} in the local artifact store: {_reason(exc)}")


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{exc.strerror}; check that the server may write to the artifact directory"
    if exc.errno == errno.ENOTDIR:
        return "a parent folder in the path is a file"
    return exc.strerror or str(exc)
