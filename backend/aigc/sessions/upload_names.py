"""What an uploaded file is called and what it is: a safe, unique name, and a content type read from its bytes.

The name and the type the browser sends are the user's to choose, so neither is trusted: the name becomes a
single plain path segment, and the type comes from the first bytes (an image the model is shown must be one).
"""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Collection
from pathlib import PurePosixPath

DEFAULT_NAME = "file"
# Well under the 255 bytes a file system and a storage key segment allow, leaving room for " (99)".
MAX_NAME_BYTES = 200
SNIFF_BYTES = 8192

_ALL_CONTROLS = bytes(range(0x20)) + b"\x7f"
_TEXT_CONTROLS = b"\t\n\r\x0c\x1b"  # whitespace, form feed, and the escape of coloured logs

# Magic numbers at offset 0 -> content type.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"\x1f\x8b", "application/gzip"),
    (b"BZh", "application/x-bzip2"),
    (b"\xfd7zXZ\x00", "application/x-xz"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),  # old Office files
)
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# Zip containers named by their extension (the bytes say only "zip").
_ZIP_FORMATS = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".epub": "application/epub+zip",
    ".jar": "application/java-archive",
}
# Text files named by their extension; any other text is text/plain (never text/html: served back, it would run).
_TEXT_FORMATS = {
    ".csv": "text/csv",
    ".tsv": "text/tab-separated-values",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".json": "application/json",
    ".xml": "application/xml",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".svg": "image/svg+xml",
}


def safe_name(raw: str | None) -> str:
    """One plain, NFC-normalised file name: no folders, no `.`/`..`, no control or format characters."""
    name = unicodedata.normalize("NFC", raw or "")
    # Browsers send a bare name, but some clients send a path (either separator): keep its last part.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc: control characters (NUL, newlines); Cf: invisible formatting such as right-to-left overrides,
    # which make "gpj.exe" look like "exe.jpg".
    name = "".join(
        (" " if ch.isspace() else "") if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in name
    )
    name = " ".join(name.split())
    # A leading dot would hide the file (and `..` is no name); trailing dots and spaces confuse some systems.
    name = name.lstrip(". ").rstrip(". ")
    return _shorten(name or DEFAULT_NAME)


def unique_name(name: str, taken: Collection[str]) -> str:
    """`name`, or `stem (2).ext`, `stem (3).ext`... whichever is not taken."""
    if name not in taken:
        return name
    stem, suffix = _split(name)
    number = 2
    while True:
        candidate = f"{_shorten(stem, MAX_NAME_BYTES - len(suffix.encode()) - 8)} ({number}){suffix}"
        if candidate not in taken:
            return candidate
        number += 1


def sniff_type(head: bytes, name: str) -> str:
    """The content type the first bytes show; the name only tells zip containers and text formats apart."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    suffix = PurePosixPath(name).suffix.lower()
    if head.startswith(_ZIP_SIGNATURES):
        return _ZIP_FORMATS.get(suffix, "application/zip")
    if len(head) > 262 and head[257:262] == b"ustar":
        return "application/x-tar"
    if _is_text(head):
        if suffix in _TEXT_FORMATS:
            return _TEXT_FORMATS[suffix]
        guessed, _ = mimetypes.guess_type(name, strict=False)
        if guessed and guessed.startswith("text/") and guessed != "text/html":
            return guessed
        return "text/plain"
    return "application/octet-stream"


def _is_text(head: bytes) -> bool:
    """UTF-8 without control bytes other than whitespace (a character cut at the end of the sample still counts)."""
    if head.translate(None, _TEXT_CONTROLS) != head.translate(None, _ALL_CONTROLS):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return len(head) >= SNIFF_BYTES and exc.start >= len(head) - 3
    return True


def _split(name: str) -> tuple[str, str]:
    pure = PurePosixPath(name)
    suffix = pure.suffix if pure.stem else ""
    if len(suffix.encode()) > 16:  # not an extension, just a dot in the name
        suffix = ""
    return name[: len(name) - len(suffix)], suffix


def _shorten(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """Cut the stem (never the extension, never inside a character) until the name fits in `limit` bytes."""
    if len(name.encode()) <= limit:
        return name
    stem, suffix = _split(name)
    room = max(1, limit - len(suffix.encode()))
    cut = stem.encode()[:room].decode("utf-8", errors="ignore").rstrip(". ")
    return (cut or DEFAULT_NAME) + suffix
