"""Errors raised by the artifact storage backends."""

from __future__ import annotations


class StorageError(Exception):
    """The storage backend failed (unreachable, refused, misconfigured); the message says what to check."""


class StorageKeyError(ValueError):
    """An object key or prefix is malformed or unsafe; caused by the caller, never by the backend."""


class StorageNotFoundError(LookupError):
    """The requested object does not exist."""

    def __init__(self, key: str) -> None:
        super().__init__(f"No stored artifact with key {key!r}")
        self.key = key
