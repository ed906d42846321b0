"""Session files follow the session: before a turn, the folder gets the session's stored artifacts it lacks.

With several workers, a turn may run on a machine that never saw the session, or that saw it before another
worker added files. The artifact rows (path and sha256 of every file a turn produced, uploaded to storage
under `<user_id>/<session_id>/`) say what the folder should hold; a marker in the folder,
`.claude/aigc-workspace.json`, says which of those versions the folder has already taken in. When every row
is in the marker the turn starts at once: one query and one small file read, no storage listing, no hashing.

The user's uploads are artifact rows too (source `user`, under `uploads/`): they reach the folder the same way,
before the turn whose message names them starts.

A version already taken in is never fetched again, so a file the agent deleted or changed later on this
machine stays as the agent left it. The marker lives in `.claude` because commands may not write there
(the sandbox mounts it read-only) and because it goes when the folder goes.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import json
import logging
import os
import secrets
import stat
import time
import uuid
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from aigc.core.db import session_scope
from aigc.sessions import repository
from aigc.sessions.models import Artifact
from aigc.storage import ArtifactStorage, StorageError, StorageNotFoundError

logger = logging.getLogger("aigc.workspace")

MARKER_DIR = ".claude"
MARKER_NAME = "aigc-workspace.json"
MARKER_FORMAT = 1
# A follow-up may start on another worker while the previous turn's uploads are still running: wait this long
# for them before the agent starts without those files (a dead worker's upload never finishes).
PENDING_WAIT_SECONDS = 5.0
PENDING_POLL_SECONDS = 0.1

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW

Versions = dict[str, str]  # relative path -> sha256


class UnsafePathError(Exception):
    """A folder on the way is a link or not a folder: writing through it could land outside the session."""


async def ensure_workspace(
    storage: ArtifactStorage, cwd: Path, user_id: uuid.UUID, session_id: uuid.UUID
) -> int:
    """Put the session's stored files the folder lacks into it; return how many were downloaded."""
    started = time.monotonic()
    taken = read_marker(cwd)  # a few hundred bytes: cheaper read here than through a thread
    rows = await _artifacts(session_id)
    prefix = f"{user_id}/{session_id}/"
    rows = [row for row in rows if row.storage_key == prefix + row.path]
    if all(taken.get(row.path) == row.sha256 for row in rows):
        return 0
    restored = 0
    now_taken: Versions = {}
    tried: set[tuple[str, str]] = set()  # a version that failed is not tried again in this call
    deadline = time.monotonic() + PENDING_WAIT_SECONDS
    while True:
        waiting: list[Artifact] = []
        for row in rows:
            version = (row.path, row.sha256)
            if version in tried:
                continue
            if taken.get(row.path) == row.sha256 or now_taken.get(row.path) == row.sha256:
                now_taken[row.path] = row.sha256
            elif await asyncio.to_thread(_holds, cwd, row.path, row.sha256):
                now_taken[row.path] = row.sha256  # written here by an earlier turn
            elif row.upload_status == "stored":
                tried.add(version)
                if await _restore(storage, cwd, row):
                    now_taken[row.path] = row.sha256
                    restored += 1
            elif row.upload_status == "pending":
                waiting.append(row)
            else:
                tried.add(version)
                logger.warning(
                    "Artifact %s of session %s was never stored; not restored", row.path, session_id
                )
        if not waiting or time.monotonic() >= deadline:
            for row in waiting:
                logger.warning(
                    "Artifact %s of session %s is still uploading; not restored", row.path, session_id
                )
            break
        await asyncio.sleep(PENDING_POLL_SECONDS)
        rows = [row for row in await _artifacts(session_id) if row.storage_key == prefix + row.path]
    if now_taken != taken:
        await asyncio.to_thread(write_marker, cwd, now_taken)
    if restored:
        logger.info(
            "Restored %d files of session %s from storage in %.0f ms",
            restored,
            session_id,
            (time.monotonic() - started) * 1000,
        )
    return restored


async def _artifacts(session_id: uuid.UUID) -> list[Artifact]:
    async with session_scope(write=False) as db:
        return await repository.artifacts_of(db, session_id)


# --- the marker
def read_marker(cwd: Path) -> Versions:
    """The versions the folder has taken in; empty when the folder or its marker is missing or unreadable."""
    try:
        with _folder(cwd, [MARKER_DIR], create=False) as fd:
            handle = os.open(MARKER_NAME, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
        with os.fdopen(handle, "rb") as marker:
            record = json.loads(marker.read())
    except (OSError, ValueError, UnsafePathError):
        return {}
    if not isinstance(record, dict) or record.get("format") != MARKER_FORMAT:
        return {}
    artifacts = record.get("artifacts")
    if not isinstance(artifacts, dict):
        return {}
    return {str(path): str(sha) for path, sha in artifacts.items()}


def write_marker(cwd: Path, versions: Versions) -> None:
    """Record the versions the folder now holds (atomically: a crash leaves the old marker or the new one)."""
    payload = json.dumps({"format": MARKER_FORMAT, "artifacts": versions}, sort_keys=True).encode()
    cwd.mkdir(parents=True, exist_ok=True)
    with _folder(cwd, [MARKER_DIR], create=True) as fd:
        _replace(fd, MARKER_NAME, payload)


# --- files in the folder, never through a link
async def _restore(storage: ArtifactStorage, cwd: Path, row: Artifact) -> bool:
    """Download one artifact into place; False (logged) when it cannot be, so the next turn tries again."""
    try:
        stream = await storage.open_stream(row.storage_key)
    except (StorageNotFoundError, StorageError) as exc:
        logger.warning("Artifact %s could not be restored from storage: %s", row.storage_key, exc)
        return False
    try:
        async with stream:
            target = await asyncio.to_thread(_Download.begin, cwd, row.path)
            try:
                async for chunk in stream:
                    await asyncio.to_thread(target.write, chunk)
            except BaseException:
                await asyncio.to_thread(target.discard)
                raise
    except StorageError as exc:
        logger.warning("Artifact %s could not be restored from storage: %s", row.storage_key, exc)
        return False
    except (OSError, UnsafePathError) as exc:
        logger.warning("Artifact %s could not be written to the session folder: %s", row.path, exc)
        return False
    if target.sha256 != row.sha256:
        # Replaced by a newer version whose upload is not recorded yet: the next turn gets that one.
        await asyncio.to_thread(target.discard)
        logger.warning("Artifact %s in storage is not the recorded version; not restored", row.storage_key)
        return False
    await asyncio.to_thread(target.commit)
    return True


class _Download:
    """A temporary file beside the artifact's place, hashed as it is written, renamed into place at the end."""

    def __init__(self, dir_fd: int, name: str) -> None:
        self._dir_fd = dir_fd
        self._name = name
        self._temp = f".{secrets.token_hex(8)}.restoring"
        self._out = os.fdopen(os.open(self._temp, _NEW_FILE_FLAGS, 0o644, dir_fd=dir_fd), "wb")
        self._digest = hashlib.sha256()

    @classmethod
    def begin(cls, cwd: Path, relative: str) -> _Download:
        parts = _parts(relative)
        cwd.mkdir(parents=True, exist_ok=True)
        with _folder(cwd, parts[:-1], create=True) as fd:
            dir_fd = os.dup(fd)
        try:
            return cls(dir_fd, parts[-1])
        except BaseException:
            os.close(dir_fd)
            raise

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def write(self, chunk: bytes) -> None:
        self._out.write(chunk)
        self._digest.update(chunk)

    def commit(self) -> None:
        """Rename into place (a link at the artifact's path is replaced, not followed)."""
        try:
            self._out.close()
            os.replace(self._temp, self._name, src_dir_fd=self._dir_fd, dst_dir_fd=self._dir_fd)
        except BaseException:
            self.discard()
            raise
        os.close(self._dir_fd)

    def discard(self) -> None:
        self._out.close()
        with contextlib.suppress(OSError):
            os.unlink(self._temp, dir_fd=self._dir_fd)
        with contextlib.suppress(OSError):
            os.close(self._dir_fd)


def remove_file(cwd: Path, relative: str, sha256: str) -> bool:
    """Delete the folder's file at `relative` if it still holds this content (an upload taken back)."""
    if not _holds(cwd, relative, sha256):
        return False
    parts = _parts(relative)
    try:
        with _folder(cwd, parts[:-1], create=False) as fd:
            os.unlink(parts[-1], dir_fd=fd)
    except (OSError, UnsafePathError):
        return False
    return True


def _holds(cwd: Path, relative: str, sha256: str) -> bool:
    """Whether the folder's file at `relative` is a regular file with this content."""
    try:
        parts = _parts(relative)
        with _folder(cwd, parts[:-1], create=False) as fd:
            handle = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
        with os.fdopen(handle, "rb") as source:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                return False
            digest = hashlib.sha256()
            for chunk in iter(lambda: source.read(1024 * 1024), b""):
                digest.update(chunk)
    except (OSError, UnsafePathError):
        return False
    return digest.hexdigest() == sha256


def _parts(relative: str) -> list[str]:
    pure = PurePosixPath(relative)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts):
        raise UnsafePathError(f"{relative!r} is not a plain relative path")
    return list(pure.parts)


@contextlib.contextmanager
def _folder(cwd: Path, parts: list[str], *, create: bool) -> Iterator[int]:
    """A descriptor of `cwd/<parts>`, opened one level at a time without following a link."""
    fd = os.open(cwd, _DIR_FLAGS)
    try:
        for part in parts:
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o755, dir_fd=fd)
                child = _open_child(part, fd)
            except OSError as exc:
                raise _unsafe(part, exc) from exc
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _open_child(part: str, fd: int) -> int:
    try:
        return os.open(part, _DIR_FLAGS, dir_fd=fd)
    except OSError as exc:
        raise _unsafe(part, exc) from exc


def _unsafe(part: str, exc: OSError) -> Exception:
    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
        return UnsafePathError(f"{part!r} in the session folder is a link or a file, not a folder")
    return exc


def _replace(dir_fd: int, name: str, data: bytes) -> None:
    """Write a temporary file beside `name` and rename it over `name` (a link there is replaced, not followed)."""
    temp = f".{secrets.token_hex(8)}.writing"
    handle = os.open(temp, _NEW_FILE_FLAGS, 0o644, dir_fd=dir_fd)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        raise
