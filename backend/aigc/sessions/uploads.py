"""Files users upload into a session: limits, names, storage, and the attachments a message names.

An upload is an artifact row with source `user` and the path `uploads/<name>`, stored under the session's
storage prefix like the agent's files. That is all a turn needs: the workspace restore (workspace.py) puts
every stored file of the session into its folder before the agent starts, on whichever machine runs it.
An upload belongs to no message until one names it; until then it may be deleted.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from fastapi import UploadFile
from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.agent.attachments import AttachedFile
from aigc.core.config import Settings
from aigc.core.errors import AppError, ConflictError, NotFoundError, ServiceUnavailableError
from aigc.sessions import repository, workspace
from aigc.sessions.models import Artifact, ArtifactSource, ChatSession
from aigc.sessions.upload_names import SNIFF_BYTES, safe_name, sniff_type, unique_name
from aigc.storage import ArtifactStorage, StorageError
from aigc.users.models import User

logger = logging.getLogger("aigc.sessions")

UPLOADS_DIR = "uploads"
# The upload route: the body size limit of every other route does not apply to it (it has its own).
UPLOAD_PATH = re.compile(r"/api/v1/sessions/[^/]+/files")
MIB = 1024 * 1024


@dataclass
class _Incoming:
    upload: UploadFile
    name: str
    size: int
    mime_type: str


async def store_uploads(
    session: AsyncSession,
    user: User,
    session_id: uuid.UUID,
    files: Sequence[UploadFile],
    storage: ArtifactStorage,
    settings: Settings,
) -> list[Artifact]:
    """Check every file against the limits, then store them all, or none (a failure removes what was stored)."""
    chat = await _writable(session, user, session_id)
    if not files:
        raise AppError(
            "The request holds no files (multipart field `files`)", code="no_files", status_code=422
        )
    if len(files) > settings.upload_max_files:
        raise AppError(
            f"{len(files)} files in one upload; at most {settings.upload_max_files} at a time",
            code="too_many_files",
            status_code=422,
        )
    incoming = [await _inspect(upload) for upload in files]
    _check_sizes(incoming, settings)
    added = sum(item.size for item in incoming)
    session_total = await repository.upload_bytes(session, user.id, chat.id) + added
    if session_total > settings.upload_max_session_mb * MIB:
        raise AppError(
            f"These files would bring this conversation's uploads to {_mib(session_total)}; "
            f"a conversation holds at most {settings.upload_max_session_mb} MiB of uploads",
            code="session_uploads_full",
            status_code=413,
        )
    user_total = await repository.upload_bytes(session, user.id) + added
    if user_total > settings.upload_quota_user_mb * MIB:
        raise AppError(
            f"These files would bring your uploads to {_mib(user_total)}; your quota is "
            f"{settings.upload_quota_user_mb} MiB (delete old conversations to make room)",
            code="upload_quota_exceeded",
            status_code=413,
        )
    taken = await repository.session_paths(session, chat.id)
    rows = []
    for item in incoming:
        path = f"{UPLOADS_DIR}/{unique_name(item.name, {p.removeprefix(UPLOADS_DIR + '/') for p in taken})}"
        taken.add(path)
        rows.append(
            Artifact(
                session_id=chat.id,
                user_id=user.id,
                path=path,
                name=path.removeprefix(UPLOADS_DIR + "/"),
                size=item.size,
                mime_type=item.mime_type,
                sha256="",
                storage_key=f"{user.id}/{chat.id}/{path}",
                source=ArtifactSource.user.value,
                upload_status="stored",
            )
        )
    await _store_all(storage, rows, [item.upload.file for item in incoming])
    for row in rows:
        session.add(row)
    try:
        await session.flush()
    except Exception:
        await _forget(storage, rows)
        raise
    return rows


async def list_uploads(session: AsyncSession, user: User, session_id: uuid.UUID) -> list[Artifact]:
    chat = await _owned(session, user, session_id)
    return await repository.artifacts_of(session, chat.id, ArtifactSource.user)


async def delete_upload(
    session: AsyncSession,
    user: User,
    session_id: uuid.UUID,
    upload_id: uuid.UUID,
    storage: ArtifactStorage,
    settings: Settings,
) -> None:
    """Take back a file not sent yet: its row, its stored object and its copy in the session folder."""
    chat = await _owned(session, user, session_id)
    found = await repository.uploads_by_ids(session, chat.id, [upload_id])
    if not found:
        raise NotFoundError("No such file in this conversation")
    upload = found[0]
    if upload.message_id is not None:
        raise ConflictError(
            "This file was sent with a message and stays with the conversation", code="upload_sent"
        )
    await repository.delete_artifact(session, upload.id)
    await session.flush()
    await _forget(storage, [upload])
    cwd = settings.work_dir / str(chat.user_id) / str(chat.id)
    await asyncio.to_thread(workspace.remove_file, cwd, upload.path, upload.sha256)


async def attachments_for_turn(
    session: AsyncSession, chat: ChatSession, attachment_ids: Sequence[uuid.UUID], settings: Settings
) -> list[Artifact]:
    """The uploads a message names, in its order: this session's, unsent, at most UPLOAD_MAX_FILES."""
    wanted = list(dict.fromkeys(attachment_ids))
    if not wanted:
        return []
    if len(wanted) > settings.upload_max_files:
        raise AppError(
            f"{len(wanted)} attachments; a message may carry at most {settings.upload_max_files}",
            code="too_many_attachments",
            status_code=422,
        )
    found = {row.id: row for row in await repository.uploads_by_ids(session, chat.id, wanted)}
    missing = [str(upload_id) for upload_id in wanted if upload_id not in found]
    if missing:
        raise AppError(
            f"Not a file uploaded to this conversation: {', '.join(missing)}",
            code="unknown_attachment",
            status_code=422,
        )
    sent = [found[upload_id].name for upload_id in wanted if found[upload_id].message_id is not None]
    if sent:
        raise ConflictError(
            f"Already sent with an earlier message: {', '.join(sent)}", code="attachment_sent"
        )
    return [found[upload_id] for upload_id in wanted]


def attached_files(rows: Sequence[Artifact]) -> list[AttachedFile]:
    """What the agent is told about the attachments (and which images it is shown)."""
    return [AttachedFile(path=row.path, mime_type=row.mime_type, size=row.size) for row in rows]


async def _owned(session: AsyncSession, user: User, session_id: uuid.UUID) -> ChatSession:
    chat = await repository.get_owned(session, user.id, session_id)
    if chat is None:
        raise NotFoundError("No such session")
    return chat


async def _writable(session: AsyncSession, user: User, session_id: uuid.UUID) -> ChatSession:
    """The user's session, its row locked until the request ends (PostgreSQL: SELECT ... FOR UPDATE).

    Two uploads of the same name at once would otherwise both pick it, and the second would overwrite the
    first one's stored object before its insert failed.
    """
    await _owned(session, user, session_id)
    chat = await repository.get_session(session, session_id, lock=True)
    if chat is None:
        raise NotFoundError("No such session")
    if chat.archived_at is not None:
        raise ConflictError(
            "This session is archived and read-only; start a new session", code="session_archived"
        )
    return chat


async def _inspect(upload: UploadFile) -> _Incoming:
    """Name, size and content type (from the first bytes) of a received file, read in a thread."""
    name = safe_name(upload.filename)

    def measure(source: BinaryIO) -> tuple[int, bytes]:
        source.seek(0)
        head = source.read(SNIFF_BYTES)
        return source.seek(0, os.SEEK_END), head

    size, head = await asyncio.to_thread(measure, upload.file)
    return _Incoming(upload=upload, name=name, size=size, mime_type=sniff_type(head, name))


def _check_sizes(incoming: list[_Incoming], settings: Settings) -> None:
    limit = settings.upload_max_file_mb * MIB
    too_large = [item for item in incoming if item.size > limit]
    if too_large:
        names = ", ".join(f"{item.name} ({_mib(item.size)})" for item in too_large)
        raise AppError(
            f"Too large: {names}; a file may be at most {settings.upload_max_file_mb} MiB",
            code="file_too_large",
            status_code=413,
        )


async def _store_all(storage: ArtifactStorage, rows: list[Artifact], sources: list[BinaryIO]) -> None:
    stored: list[Artifact] = []
    try:
        for row, source in zip(rows, sources, strict=True):
            result = await storage.put_fileobj(row.storage_key, source, row.mime_type)
            row.sha256, row.size = result.sha256, result.size
            stored.append(row)
    except StorageError as exc:
        logger.warning("Storing uploads failed: %s", exc)
        await _forget(storage, stored)
        raise ServiceUnavailableError(
            "The file store is not available right now; nothing was uploaded", code="storage_unavailable"
        ) from exc
    except BaseException:
        await asyncio.shield(_forget(storage, stored))
        raise


async def _forget(storage: ArtifactStorage, rows: list[Artifact]) -> None:
    for row in rows:
        try:
            await storage.delete(row.storage_key)
        except StorageError as exc:  # an orphaned object is only a cost; the row is what users see
            logger.warning("Could not delete stored upload %s: %s", row.storage_key, exc)


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB"
