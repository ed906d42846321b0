"""Serving artifacts: from storage, or from the session folder while the upload is still pending."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import anyio
from fastapi.responses import StreamingResponse

from aigc.core.config import Settings
from aigc.core.errors import NotFoundError
from aigc.sessions.models import Artifact
from aigc.sessions.schemas import ArtifactPreview, ArtifactPublic, PreviewKind
from aigc.storage import ArtifactStorage, StorageKeyError, StorageNotFoundError

PREVIEW_BYTES = 256 * 1024
CHUNK = 256 * 1024
_TEXT_KINDS: dict[str, PreviewKind] = {
    "text/markdown": "markdown",
    "text/html": "html",
    "text/csv": "csv",
    "application/json": "json",
}


def _session_folder(settings: Settings, artifact: Artifact) -> Path:
    return settings.work_dir / str(artifact.user_id) / str(artifact.session_id)


def _open_inside(path: Path, folder: Path) -> int | None:
    """A read descriptor for `path` only if the file it reaches is inside `folder` (the agent may plant links)."""
    try:
        # O_NOFOLLOW: if the agent swapped the file itself for a link, it is not followed.
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    # O_NOFOLLOW guards only the last part of the path: a folder on the way may have become a link. Where
    # the opened file really is decides (Linux names it in /proc; elsewhere the resolved path stands in).
    opened = f"/proc/self/fd/{fd}"
    real = Path(os.path.realpath(opened if os.path.exists(opened) else path))
    if real.is_relative_to(folder.resolve()) and os.path.isfile(real):
        return fd
    os.close(fd)
    return None


async def _local_chunks(fd: int) -> AsyncIterator[bytes]:
    handle = os.fdopen(fd, "rb")
    try:
        while chunk := await anyio.to_thread.run_sync(handle.read, CHUNK):
            yield chunk
    finally:
        handle.close()


async def _byte_source(
    storage: ArtifactStorage, settings: Settings, artifact: Artifact
) -> AsyncIterator[bytes]:
    try:
        return await storage.open_stream(artifact.storage_key)
    except StorageKeyError:
        raise NotFoundError("The file of this artifact is no longer available") from None
    except StorageNotFoundError:
        folder = _session_folder(settings, artifact)
        if artifact.upload_status == "pending":
            fd = await anyio.to_thread.run_sync(_open_inside, folder / artifact.path, folder)
            if fd is not None:
                return _local_chunks(fd)
        raise NotFoundError("The file of this artifact is no longer available") from None


async def download_response(
    storage: ArtifactStorage, settings: Settings, artifact: Artifact
) -> StreamingResponse:
    """An attachment that browsers never render or sniff."""
    source = await _byte_source(storage, settings, artifact)
    printable = "".join(ch if ch.isprintable() else "_" for ch in artifact.name)
    ascii_name = printable.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return StreamingResponse(
        source,
        media_type=artifact.mime_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(printable)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
            "Content-Length": str(artifact.size),
            "Cache-Control": "private, no-store",
        },
    )


def _kind(mime_type: str) -> PreviewKind:
    if mime_type in _TEXT_KINDS:
        return _TEXT_KINDS[mime_type]
    if mime_type.startswith("image/") and mime_type != "image/svg+xml":
        return "image"
    if mime_type.startswith("text/") or mime_type == "image/svg+xml":
        return "text"
    return "binary"


async def preview(storage: ArtifactStorage, settings: Settings, artifact: Artifact) -> ArtifactPreview:
    """The beginning of a text-like artifact; images and binaries are fetched through the download."""
    kind = _kind(artifact.mime_type)
    public = ArtifactPublic.model_validate(artifact)
    if kind in ("image", "binary"):
        return ArtifactPreview(artifact=public, kind=kind)
    data = bytearray()
    async for chunk in await _byte_source(storage, settings, artifact):
        data.extend(chunk)
        if len(data) > PREVIEW_BYTES:
            break
    return ArtifactPreview(
        artifact=public,
        kind=kind,
        text=bytes(data[:PREVIEW_BYTES]).decode("utf-8", errors="replace"),
        truncated=len(data) > PREVIEW_BYTES,
    )
