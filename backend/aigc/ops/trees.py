"""The folders a backup copies (data_dir and work_dir), what it leaves out, and how a restore swaps them."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ASIDE_MARK = ".before-restore-"
RESTORE_STAGING_PREFIX = ".restore-"
BACKUP_STAGING_PREFIX = ".aigc-backup-"
# Below data_dir: the run lock and scratch space nobody needs back.
# agent/bin holds the CLI wrapper and the model-key helper (the key itself): rewritten at every agent start,
# and a backup must not carry the key.
_SKIPPED_DATA_PATHS = {"run", "agent/tmp", "agent/bin", "artifacts/.aigc/tmp"}


def aside_suffix(stamp: str) -> str:
    """The suffix every file or folder a restore puts aside gets, e.g. `.before-restore-20250101-120000-123456`."""
    return f"{ASIDE_MARK}{stamp}"


def rename_aside(path: Path, target: Path) -> Path:
    """Rename without ever replacing what an earlier restore put aside."""
    if target.exists():
        raise FileExistsError(f"{target} already exists; refusing to overwrite data an earlier restore kept")
    os.replace(path, target)
    return target


@dataclass(frozen=True)
class TreeRules:
    """What to leave out when walking one root folder."""

    skipped_paths: frozenset[str] = frozenset()
    skipped_absolute: frozenset[Path] = frozenset()

    def skips_top(self, name: str) -> bool:
        """Top-level entries a restore must neither put aside nor replace (they are not in backups)."""
        return (
            ASIDE_MARK in name
            or name.startswith((RESTORE_STAGING_PREFIX, BACKUP_STAGING_PREFIX))
            or name in self.skipped_paths
        )

    def skips(self, root: Path, relative: str) -> bool:
        if relative in self.skipped_paths or self.skips_top(relative.split("/", 1)[0]):
            return True
        return (root / relative) in self.skipped_absolute


def data_rules(data_dir: Path, database_file: Path | None, out_dir: Path) -> TreeRules:
    """data_dir minus the lock, scratch folders, the SQLite files (archived separately) and the backups."""
    absolute = {out_dir.resolve()}
    if database_file is not None:
        database_file = database_file.resolve()
        absolute |= {
            database_file.with_name(database_file.name + side) for side in ("", "-wal", "-shm", "-journal")
        }
    return TreeRules(
        frozenset(_SKIPPED_DATA_PATHS), frozenset(path for path in absolute if _is_below(path, data_dir))
    )


def work_rules(out_dir: Path) -> TreeRules:
    return TreeRules(skipped_absolute=frozenset({out_dir.resolve()}))


def walk(root: Path, rules: TreeRules) -> Iterator[tuple[str, Path, bool]]:
    """Yield (relative path, path, is_dir) for folders and regular files; symlinks are never followed."""
    if not root.is_dir():
        return
    root = root.resolve()
    for current, dirs, files in os.walk(root, followlinks=False):
        base = Path(current)
        rel_base = base.relative_to(root).as_posix()
        prefix = "" if rel_base == "." else f"{rel_base}/"
        dirs[:] = sorted(
            name for name in dirs if not rules.skips(root, prefix + name) and not (base / name).is_symlink()
        )
        for name in dirs:
            yield prefix + name, base / name, True
        for name in sorted(files):
            path = base / name
            # A symlink could point anywhere on the host; backing up its target would leak it.
            if rules.skips(root, prefix + name) or not stat.S_ISREG(path.lstat().st_mode):
                continue
            yield prefix + name, path, False


def set_aside_children(root: Path, rules: TreeRules, suffix: str) -> list[Path]:
    """Rename every top-level entry a backup covers to `<name><suffix>`, in place (same filesystem)."""
    kept: list[Path] = []
    if not root.is_dir():
        return kept
    root = root.resolve()
    for child in sorted(root.iterdir()):
        if rules.skips_top(child.name) or child in rules.skipped_absolute:
            continue
        kept.append(rename_aside(child, child.with_name(child.name + suffix)))
    return kept


def set_aside_folder(folder: Path, suffix: str) -> Path | None:
    """Rename `folder` to a sibling `<name><suffix>`; a mount point keeps its entries in `<folder>/<suffix>/`."""
    if not folder.exists():
        return None
    sibling = folder.with_name(folder.name + suffix)
    try:
        return rename_aside(folder, sibling)
    except FileExistsError:
        raise
    except OSError:
        # Docker volumes are mount points: they cannot be renamed, and their parent may not be writable.
        inside = folder / suffix
        inside.mkdir()
        for child in folder.iterdir():
            if child != inside and ASIDE_MARK not in child.name:
                rename_aside(child, inside / child.name)
        return inside


def move_children(source: Path, target: Path) -> None:
    """Move every entry of `source` into `target` (a rename when both are on one filesystem)."""
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for child in sorted(source.iterdir()):
        shutil.move(str(child), str(target / child.name))


def _is_below(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True
