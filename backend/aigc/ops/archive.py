"""Writing and unpacking the backup tarball; every file is hashed exactly as it is archived."""

from __future__ import annotations

import errno
import io
import os
import tarfile
import tempfile
import time
from pathlib import Path

from aigc.ops.errors import RestoreRefusedError
from aigc.ops.manifest import MANIFEST_NAME, FileEntry, hash_stream
from aigc.ops.trees import TreeRules, walk

# Files below this size are buffered in memory while hashed; larger ones spill to the staging folder.
_SPOOL_BYTES = 16 * 1024 * 1024


class ArchiveWriter:
    """A tar.gz being written; remembers the sha256 of each regular file it adds."""

    def __init__(self, path: Path, scratch: Path) -> None:
        self.path = path
        self.scratch = scratch
        self.files: dict[str, FileEntry] = {}
        self._tar = tarfile.open(path, "w:gz", compresslevel=6)

    def add_file(self, name: str, path: Path) -> bool:
        """Archive one file as it is right now; False when it vanished meanwhile (agents delete files)."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return False
        except OSError as exc:
            if exc.errno == errno.ELOOP:  # replaced by a symlink since the walk saw it
                return False
            raise
        with (
            os.fdopen(fd, "rb") as source,
            tempfile.SpooledTemporaryFile(_SPOOL_BYTES, dir=str(self.scratch)) as copy,
        ):
            # Copy first, then archive the copy: the hash and the size then match the archived bytes even
            # if the file keeps changing (a live session writing into work_dir).
            entry = hash_stream(source, copy)
            # Only the execute bits matter (scripts in a session); owners must be able to replace the file.
            status = os.fstat(fd)
            copy.seek(0)
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = (
                entry.size,
                0o644 | (status.st_mode & 0o111),
                int(status.st_mtime),
            )
            self._tar.addfile(info, copy)
        self.files[name] = entry
        return True

    def add_tree(self, prefix: str, root: Path, rules: TreeRules) -> None:
        """Archive a folder under `prefix/`, empty folders included, following no symlink."""
        for relative, path, is_dir in walk(root, rules):
            if is_dir:
                info = tarfile.TarInfo(f"{prefix}/{relative}")
                info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, int(time.time())
                self._tar.addfile(info)
            else:
                self.add_file(f"{prefix}/{relative}", path)

    def add_manifest(self, data: bytes) -> None:
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
        self._tar.addfile(info, io.BytesIO(data))

    def close(self) -> None:
        self._tar.close()


def extract(archive: Path, target: Path) -> None:
    """Unpack an archive with the `data` filter: no absolute paths, no links out, no device files."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(target, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise RestoreRefusedError(f"{archive} is not a readable backup archive ({exc})") from None
