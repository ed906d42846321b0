"""Find the files a turn created or changed in its session folder, and describe them as artifacts."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import stat
from dataclasses import dataclass
from pathlib import Path

# The agent's own configuration (installed skills) is not a user's work product.
IGNORED_TOP_LEVEL = {".claude"}
MAX_ARTIFACTS_PER_TURN = 50
MAX_ARTIFACT_BYTES = 100 * 1024 * 1024

FileState = tuple[int, int]  # (size, mtime_ns)

mimetypes.add_type("text/markdown", ".md")
mimetypes.add_type("text/csv", ".csv")


@dataclass(frozen=True)
class FoundFile:
    """A regular file the turn produced, with its content hash."""

    path: str
    absolute: Path
    size: int
    sha256: str
    mime_type: str


def snapshot(cwd: Path) -> dict[str, FileState]:
    """Regular files under the session folder by relative path; links are not followed or listed."""
    found: dict[str, FileState] = {}
    if not cwd.is_dir():
        return found
    for root, dirs, files in os.walk(cwd, followlinks=False):
        relative_root = Path(root).relative_to(cwd)
        if relative_root == Path("."):
            dirs[:] = [d for d in dirs if d not in IGNORED_TOP_LEVEL]
        for name in files:
            full = Path(root) / name
            try:
                info = full.lstat()
            except OSError:
                continue
            relative = (relative_root / name).as_posix()
            # A name storage cannot hold (control characters, ...) cannot become a downloadable artifact.
            if stat.S_ISREG(info.st_mode) and _storable(relative):
                found[relative] = (info.st_size, info.st_mtime_ns)
    return found


def changed_files(cwd: Path, before: dict[str, FileState]) -> list[FoundFile]:
    """Files that are new or different since `before`, hashed; oversized ones and those past the cap are skipped."""
    after = snapshot(cwd)
    changed = sorted(path for path, state in after.items() if before.get(path) != state)
    wanted = [p for p in changed if after[p][0] <= MAX_ARTIFACT_BYTES][:MAX_ARTIFACTS_PER_TURN]
    return _hashed(cwd, wanted, after)


def all_files(cwd: Path) -> list[FoundFile]:
    """Every regular file of the folder, hashed, whatever its size (archiving must miss nothing)."""
    found = snapshot(cwd)
    return _hashed(cwd, sorted(found), found)


def _hashed(cwd: Path, paths: list[str], states: dict[str, FileState]) -> list[FoundFile]:
    results = []
    for path in paths:
        absolute = cwd / path
        try:
            digest = _sha256(absolute)
        except OSError:  # vanished or replaced by a link since the scan
            continue
        results.append(
            FoundFile(
                path=path,
                absolute=absolute,
                size=states[path][0],
                sha256=digest,
                mime_type=guess_mime_type(path),
            )
        )
    return results


def guess_mime_type(path: str) -> str:
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def _sha256(path: Path) -> str:
    # O_NOFOLLOW: a file swapped for a link between the scan and the read is not followed.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    digest = hashlib.sha256()
    with os.fdopen(fd, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _storable(path: str) -> bool:
    from aigc.storage import StorageKeyError, validate_key

    try:
        validate_key(path)
    except StorageKeyError:
        return False
    return True
