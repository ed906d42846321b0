"""The manifest inside every backup archive: what it holds and the checksum of each file."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from aigc.ops.errors import RestoreRefusedError

MANIFEST_NAME = "manifest.json"
FORMAT_NAME = "aigc-backup"
FORMAT_VERSION = 1
# Top-level folders of an archive.
DATABASE_DIR = "database"
DATA_DIR = "data"
WORK_DIR = "work_dir"
OBJECTS_DIR = "objects"
_CHUNK = 1024 * 1024


@dataclass
class FileEntry:
    """Size and sha256 of one archived file."""

    sha256: str
    size: int


@dataclass
class Manifest:
    """Everything a restore needs to trust and check an archive."""

    created_at: str
    platform_version: str
    schema_revision: str | None
    database_kind: str
    database_file: str
    row_counts: dict[str, int]
    storage_backend: str
    # MinIO objects: key -> content type (the archive holds them under objects/<key>).
    objects: dict[str, str] = field(default_factory=dict)
    files: dict[str, FileEntry] = field(default_factory=dict)
    format: str = FORMAT_NAME
    format_version: int = FORMAT_VERSION

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        """Parse a manifest, refusing anything this code cannot read."""
        try:
            data: dict[str, Any] = json.loads(raw)
            if data.get("format") != FORMAT_NAME:
                raise RestoreRefusedError("The archive's manifest.json is not an AIGC backup manifest")
            if data.get("format_version") != FORMAT_VERSION:
                raise RestoreRefusedError(
                    f"The archive uses backup format {data.get('format_version')}, this code reads "
                    f"format {FORMAT_VERSION}: restore it with the platform version that wrote it "
                    f"({data.get('platform_version', 'unknown')})"
                )
            data["files"] = {name: FileEntry(**entry) for name, entry in data["files"].items()}
            return cls(**data)
        except RestoreRefusedError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise RestoreRefusedError(f"The archive's manifest.json is damaged ({exc})") from None


def hash_stream(source: IO[bytes], sink: IO[bytes] | None = None) -> FileEntry:
    """Hash `source` to its end, copying it into `sink` on the way when given."""
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return FileEntry(sha256=digest.hexdigest(), size=size)


def hash_file(path: Path) -> FileEntry:
    with path.open("rb") as source:
        return hash_stream(source)


def verify_files(root: Path, manifest: Manifest) -> None:
    """Refuse unless the extracted files are exactly the manifest's, byte for byte."""
    present = {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).as_posix() != MANIFEST_NAME
    }
    missing = sorted(set(manifest.files) - present)
    if missing:
        raise RestoreRefusedError(
            f"The archive is incomplete: {len(missing)} file(s) missing, e.g. {missing[0]}"
        )
    unexpected = sorted(present - set(manifest.files))
    if unexpected:
        raise RestoreRefusedError(f"The archive holds files its manifest does not list, e.g. {unexpected[0]}")
    for name, expected in sorted(manifest.files.items()):
        actual = hash_file(root / name)
        if actual != expected:
            raise RestoreRefusedError(
                f"Checksum mismatch for {name} (the archive is damaged or was altered): "
                f"expected sha256 {expected.sha256[:12]}…, found {actual.sha256[:12]}…"
            )
