"""The run lock: servers share it for their lifetime, a restore needs it alone.

flock() locks belong to an open file description, so every server process (uvicorn workers
included) holds its own shared lock, and the kernel drops it when the process dies, however it dies.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aigc.core.config import Settings
from aigc.ops.errors import ServerRunningError

try:
    import fcntl
except ImportError:  # native Windows: no flock; the lock becomes advisory-only (see _try_lock)
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger("aigc.runlock")
_LOCK_SH = getattr(fcntl, "LOCK_SH", 1)
_LOCK_EX = getattr(fcntl, "LOCK_EX", 2)


class ServerLockError(Exception):
    """The server cannot start because a restore is replacing its data."""


def lock_path(settings: Settings) -> Path:
    """Where the run lock lives: `<data_dir>/run/server.lock`."""
    return settings.data_dir / "run" / "server.lock"


def _open_lock_file(settings: Settings) -> int:
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_CLOEXEC (Python's default) keeps agent subprocesses from inheriting, and so prolonging, the lock.
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _try_lock(fd: int, mode: int) -> bool:
    if fcntl is None:
        logger.warning("No flock() on this system: the server/restore lock cannot protect the data here")
        return True
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise
    return True


@contextmanager
def hold_server_lock(settings: Settings) -> Iterator[None]:
    """Hold the shared run lock while the server runs; refuse to start during a restore."""
    fd = _open_lock_file(settings)
    try:
        if not _try_lock(fd, _LOCK_SH):
            raise ServerLockError(
                f"A restore is replacing the data in {settings.data_dir}; start the server when it has finished"
            )
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


@contextmanager
def exclusive_lock(settings: Settings) -> Iterator[None]:
    """Hold the run lock alone (restores), or raise ServerRunningError at once."""
    fd = _open_lock_file(settings)
    try:
        if not _try_lock(fd, _LOCK_EX):
            raise ServerRunningError(
                f"The server is running on {settings.data_dir} (or another restore is): "
                "stop every `aigc serve` process using this data directory, then restore"
            )
        yield
    finally:
        os.close(fd)


def server_is_running(settings: Settings) -> bool:
    """Whether a server (or a restore) holds the run lock right now."""
    fd = _open_lock_file(settings)
    try:
        return not _try_lock(fd, _LOCK_EX)
    finally:
        os.close(fd)
