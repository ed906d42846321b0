"""Files the user attached to a message: named in the prompt, and images shown to the model as content blocks.

The files are already in the session folder (the sessions domain put them there); the agent reads them with
its tools like any other file. Images also travel in the user message itself, so the model sees them without
a tool call. What is read here is read from the session folder without following links.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

logger = logging.getLogger(__name__)

# What the Messages API accepts as an image block.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# The API refuses an image over 5 MB as sent (base64): 3/4 of that before encoding.
MAX_IMAGE_BLOCK_BYTES = 3_750_000

UserContent = str | list[dict[str, Any]]


@dataclass(frozen=True)
class AttachedFile:
    """A file the user attached, by its path relative to the session folder."""

    path: str
    mime_type: str
    size: int

    @property
    def is_image(self) -> bool:
        return self.mime_type in IMAGE_TYPES

    @property
    def shown(self) -> bool:
        """Whether the model gets the image itself (small enough for an image block)."""
        return self.is_image and self.size <= MAX_IMAGE_BLOCK_BYTES


def attachment_note(files: list[AttachedFile]) -> str:
    """The lines after the user's text that say which files came with the message, and where they are."""
    if not files:
        return ""
    lines = [f"[The user attached {len(files)} file(s) to this message, saved in the session folder:"]
    for item in files:
        extra = "; also shown to you as an image" if item.shown else ""
        lines.append(f"- {item.path} ({item.mime_type}, {_human(item.size)}{extra})")
    lines.append("Read them with your tools when the request needs them.]")
    return "\n".join(lines)


def user_content(prompt: str, cwd: Path, files: list[AttachedFile]) -> UserContent:
    """The user message for the model: the text with the attachment note, then the images as blocks.

    Blocking (reads the images): call it in a thread.
    """
    note = attachment_note(files)
    text = f"{prompt}\n\n{note}" if prompt.strip() and note else prompt or note
    images = [block for item in files if item.shown and (block := _image_block(cwd, item)) is not None]
    if not images:
        return text
    return [{"type": "text", "text": text}, *images]


def _image_block(cwd: Path, item: AttachedFile) -> dict[str, Any] | None:
    data = _read_inside(cwd, item.path, MAX_IMAGE_BLOCK_BYTES)
    if data is None:
        logger.warning("Attached image %s is not in the session folder; not shown to the model", item.path)
        return None
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": item.mime_type, "data": base64.b64encode(data).decode()},
    }


def _read_inside(cwd: Path, relative: str, limit: int) -> bytes | None:
    """The file's bytes when it is a regular file inside `cwd` (no link on the way) and within the limit."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or any(p in ("", ".", "..") for p in parts):
        return None
    flags = os.O_RDONLY | os.O_NOFOLLOW
    try:
        fd = os.open(cwd, flags | os.O_DIRECTORY)
        try:
            for part in parts[:-1]:
                child = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
                os.close(fd)
                fd = child
            handle = os.open(parts[-1], flags, dir_fd=fd)
        finally:
            os.close(fd)
        with os.fdopen(handle, "rb") as source:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                return None
            data = source.read(limit + 1)
    except OSError:
        return None
    return data if len(data) <= limit else None


def _human(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"
