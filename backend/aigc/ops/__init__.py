"""Operations: consistent backups of a running platform, checked restores, and the server run lock."""

from aigc.ops.backup import create_backup, default_backup_dir, list_backups, prune_backups
from aigc.ops.errors import BackupError, RestoreFailedError, RestoreRefusedError, ServerRunningError
from aigc.ops.restore import RestoreReport, restore_backup
from aigc.ops.runlock import ServerLockError, exclusive_lock, hold_server_lock, server_is_running

__all__ = [
    "BackupError",
    "RestoreFailedError",
    "RestoreRefusedError",
    "RestoreReport",
    "ServerLockError",
    "ServerRunningError",
    "create_backup",
    "default_backup_dir",
    "exclusive_lock",
    "hold_server_lock",
    "list_backups",
    "prune_backups",
    "restore_backup",
    "server_is_running",
]
