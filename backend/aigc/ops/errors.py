"""The errors backups and restores raise; each message says what is wrong and what to do."""

from __future__ import annotations


class BackupError(Exception):
    """A backup could not be taken."""


class RestoreRefusedError(Exception):
    """A restore was refused before anything was changed."""


class RestoreFailedError(Exception):
    """A restore started but could not finish; the message says where the previous data was put."""


class ServerRunningError(RestoreRefusedError):
    """The server (or another restore) holds the run lock."""
