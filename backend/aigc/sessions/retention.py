"""Retention: archive sessions nobody touched for a while (files to storage, read-only), delete them later."""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from aigc.core.config import Settings
from aigc.core.db import session_scope
from aigc.core.models import utcnow
from aigc.sessions import artifacts as artifact_files
from aigc.sessions import repository
from aigc.sessions.models import ChatSession
from aigc.sessions.service import remove_session, session_dir
from aigc.sessions.turns import TurnManager
from aigc.storage import ArtifactStorage

logger = logging.getLogger("aigc.retention")


@dataclass(frozen=True)
class RetentionAction:
    session_id: uuid.UUID
    user_id: uuid.UUID
    title: str
    updated_at: datetime
    action: Literal["archive", "delete"]


async def plan(settings: Settings, now: datetime | None = None) -> list[RetentionAction]:
    """What retention would do now; nothing unless RETENTION_* is configured."""
    now = now or utcnow()
    actions: list[RetentionAction] = []
    async with session_scope(write=False) as db:
        if settings.retention_delete_after_days:
            cutoff = now - timedelta(days=settings.retention_delete_after_days)
            actions += [_action(chat, "delete") for chat in await repository.idle_sessions(db, cutoff)]
        if settings.retention_archive_after_days:
            cutoff = now - timedelta(days=settings.retention_archive_after_days)
            doomed = {a.session_id for a in actions}
            idle = await repository.idle_sessions(db, cutoff, unarchived_only=True)
            actions += [_action(chat, "archive") for chat in idle if chat.id not in doomed]
    return actions


def _action(chat: ChatSession, action: Literal["archive", "delete"]) -> RetentionAction:
    return RetentionAction(chat.id, chat.user_id, chat.title, chat.updated_at, action)


async def apply(
    actions: list[RetentionAction],
    settings: Settings,
    storage: ArtifactStorage,
    turns: TurnManager | None = None,
) -> dict[str, int]:
    """Carry the plan out; a session that fails is logged and left for the next run."""
    done = {"archived": 0, "deleted": 0, "failed": 0}
    for action in actions:
        if turns is not None and await turns.running_among([action.session_id]):
            continue  # in use after all
        try:
            if action.action == "delete":
                async with session_scope() as db:
                    chat = await repository.get_session(db, action.session_id)
                    if chat is not None:
                        await remove_session(db, chat, turns, storage, settings)
                done["deleted"] += 1
            else:
                await _archive(action, settings, storage, turns)
                done["archived"] += 1
        except Exception:
            logger.exception("Retention could not %s session %s", action.action, action.session_id)
            done["failed"] += 1
    logger.info("Retention: %s", done)
    return done


async def _archive(
    action: RetentionAction, settings: Settings, storage: ArtifactStorage, turns: TurnManager | None
) -> None:
    """Store every file of the session folder, then free the folder and the agent; the session stays readable."""
    folder = session_dir(settings, action.user_id, action.session_id)
    for found in await asyncio.to_thread(artifact_files.all_files, folder):
        key = f"{action.user_id}/{action.session_id}/{found.path}"
        stored = await storage.stat(key)
        if stored is None or stored.sha256 != found.sha256:
            await storage.put_file(key, found.absolute, found.mime_type)
    if turns is not None:
        await turns.release(action.session_id)
    async with session_scope() as db:
        await repository.archive_session(db, action.session_id, utcnow())
    await asyncio.to_thread(shutil.rmtree, folder, True)
