"""Session rules: creation and scenario choice, ownership, planning a turn, deletion with files, artifacts."""

from __future__ import annotations

import asyncio
import logging
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.agent.prompt import build_system_prompt
from aigc.core.config import Settings
from aigc.core.db import session_scope
from aigc.core.errors import ConflictError, NotFoundError
from aigc.feedback import service as feedback_service
from aigc.feedback.schemas import FeedbackPublic
from aigc.integrations import service as mcp_service
from aigc.preferences import service as preference_service
from aigc.scenarios import service as scenario_service
from aigc.scenarios.models import Scenario
from aigc.sessions import repository, transcripts, uploads
from aigc.sessions.models import Artifact, ArtifactSource, ChatSession, Message
from aigc.sessions.schemas import (
    ArtifactPublic,
    MessagePublic,
    SessionCreate,
    SessionDetail,
    SessionPublic,
    SessionsPublic,
)
from aigc.sessions.turns import TurnManager, TurnPlan, TurnStream
from aigc.skills import service as skill_service
from aigc.stats import service as stats_service
from aigc.storage import ArtifactStorage, StorageError
from aigc.users.models import User

logger = logging.getLogger("aigc.sessions")

INTERRUPTED_TURN_ERROR = "The server stopped while this reply was being written"


def session_dir(settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID) -> Path:
    """The agent's working directory: work_dir/<user id>/<session id>/."""
    return settings.work_dir / str(user_id) / str(session_id)


async def _choose_scenario(session: AsyncSession, user: User, data: SessionCreate) -> Scenario:
    if isinstance(data.scenario_id, uuid.UUID):
        scenario = await scenario_service.get_scenario(session, user, data.scenario_id)
        if not scenario.is_enabled:
            raise ConflictError("This scenario is disabled", code="scenario_disabled")
        return scenario
    if data.scenario_id == "auto" and data.first_message:
        best = await scenario_service.best_match(session, user, data.first_message)
        if best is not None:
            return best
    return await scenario_service.get_default_scenario(session)


async def create_session(session: AsyncSession, user: User, data: SessionCreate) -> ChatSession:
    scenario = await _choose_scenario(session, user, data)
    chat = ChatSession(
        user_id=user.id, scenario_id=scenario.id, scenario_name=scenario.name, title=data.title or ""
    )
    session.add(chat)
    await session.flush()
    await stats_service.record_session_created(session, user.id, scenario.id, chat.created_at)
    return chat


async def get_owned(session: AsyncSession, user: User, session_id: uuid.UUID) -> ChatSession:
    """The user's own session; anyone else's is simply not found."""
    chat = await repository.get_owned(session, user.id, session_id)
    if chat is None:
        raise NotFoundError("No such session")
    return chat


async def find_message_owned(
    session: AsyncSession, user_id: uuid.UUID, message_id: uuid.UUID
) -> Message | None:
    """A message of one of the user's sessions, or None (for the feedback domain)."""
    return await repository.get_message_owned(session, user_id, message_id)


async def to_public(chat: ChatSession, turns: TurnManager) -> SessionPublic:
    public = SessionPublic.model_validate(chat)
    public.is_running = chat.id in await turns.running_among([chat.id])
    return public


async def list_sessions(
    session: AsyncSession, user: User, turns: TurnManager, search: str | None, offset: int, limit: int
) -> SessionsPublic:
    chats, count = await repository.list_owned(session, user.id, search, offset, limit)
    running = await turns.running_among(chat.id for chat in chats)
    items = [SessionPublic.model_validate(chat) for chat in chats]
    for item in items:
        item.is_running = item.id in running
    return SessionsPublic(items=items, count=count)


async def get_detail(
    session: AsyncSession, user: User, turns: TurnManager, session_id: uuid.UUID
) -> SessionDetail:
    chat = await get_owned(session, user, session_id)
    detail = SessionDetail.model_validate((await to_public(chat, turns)).model_dump())
    messages = await repository.messages_of(session, chat.id)
    ratings = await feedback_service.for_messages(
        session, user.id, [m.id for m in messages if m.role == "assistant"]
    )
    detail.messages = [MessagePublic.model_validate(m) for m in messages]
    for public in detail.messages:
        if public.id in ratings:
            public.feedback = FeedbackPublic.model_validate(ratings[public.id])
    files = await repository.artifacts_of(session, chat.id)
    detail.artifacts = [ArtifactPublic.model_validate(a) for a in files if a.source != ArtifactSource.user]
    detail.uploads = [ArtifactPublic.model_validate(a) for a in files if a.source == ArtifactSource.user]
    return detail


async def rename(session: AsyncSession, user: User, session_id: uuid.UUID, title: str) -> ChatSession:
    chat = await get_owned(session, user, session_id)
    chat.title = title.strip()
    session.add(chat)
    await session.flush()
    return chat


async def delete_session(
    session: AsyncSession,
    user: User,
    session_id: uuid.UUID,
    turns: TurnManager,
    storage: ArtifactStorage,
    settings: Settings,
) -> None:
    """Delete the session, its messages, its agent, its directory and its stored artifacts."""
    chat = await get_owned(session, user, session_id)
    await remove_session(session, chat, turns, storage, settings)


async def remove_session(
    session: AsyncSession,
    chat: ChatSession,
    turns: TurnManager | None,
    storage: ArtifactStorage,
    settings: Settings,
) -> None:
    """Everything of a session goes: rows, agent, folder and stored objects (deletion and retention)."""
    if turns is not None:
        await turns.release(chat.id)
    await repository.delete_session(session, chat.id)
    # The agent transcripts the SDK mirrored (keyed by the SDK's ids, not by the session's row).
    known = [chat.sdk_session_id] if chat.sdk_session_id else []
    await transcripts.delete_chat_transcripts(session, session_dir(settings, chat.user_id, chat.id), known)
    await session.flush()
    try:
        await storage.delete_prefix(f"{chat.user_id}/{chat.id}/")
    except StorageError as exc:  # the rows are gone either way; orphaned objects are only a cost
        logger.warning("Could not delete stored artifacts of session %s: %s", chat.id, exc)
    await asyncio.to_thread(shutil.rmtree, session_dir(settings, chat.user_id, chat.id), True)


async def start_turn(
    user: User,
    session_id: uuid.UUID,
    content: str,
    settings: Settings,
    turns: TurnManager,
    attachment_ids: Sequence[uuid.UUID] = (),
) -> TurnStream:
    """Plan in a short read transaction, released before the turn starts.

    Holding it would pin one pooled connection per waiting sender while the turn takes another to save
    the message: as many simultaneous sends as the pool holds would then deadlock the pool.
    """
    async with session_scope(write=False) as session:
        plan = await plan_turn(session, user, session_id, content, settings, attachment_ids)
    return await turns.start(plan)


async def plan_turn(
    session: AsyncSession,
    user: User,
    session_id: uuid.UUID,
    content: str,
    settings: Settings,
    attachment_ids: Sequence[uuid.UUID] = (),
) -> TurnPlan:
    """Resolve everything the turn needs from the session's scenario and the user's own settings."""
    chat = await get_owned(session, user, session_id)
    if chat.archived_at is not None:
        raise ConflictError(
            "This session is archived and read-only; start a new session", code="session_archived"
        )
    scenario = (
        await scenario_service.find_visible(session, user, chat.scenario_id) if chat.scenario_id else None
    )
    if scenario is None or not scenario.is_enabled:
        raise ConflictError(
            "This session's scenario is no longer available; start a new session", code="scenario_unavailable"
        )
    config = await scenario_service.get_user_config(session, user.id, scenario.id)
    allowed = scenario_service.allowed_models(scenario, settings.default_model)
    chosen = config.model if config and config.model in allowed else allowed[0]
    preferences, preference_version = await _learned_preferences(session, user, scenario.id)
    attached = await uploads.attachments_for_turn(session, chat, attachment_ids, settings)
    return TurnPlan(
        session_id=chat.id,
        user_id=user.id,
        scenario_id=scenario.id,
        prompt=content,
        cwd=session_dir(settings, user.id, chat.id),
        model=settings.resolve_model(chosen),
        system_prompt=build_system_prompt(
            scenario.system_prompt, config.extra_instructions if config else "", preferences
        ),
        tools=list(scenario.tools),
        skills=await skill_service.files_for_scenario(session, scenario.id),
        max_turns=scenario.max_turns,
        max_budget_usd=scenario.max_budget_usd,
        resume=chat.sdk_session_id,
        preference_version=preference_version,
        shell_limits=scenario_service.shell_limits_for_turn(scenario),
        mcp_servers=await mcp_service.servers_for_turn(
            session, scenario.id, trusted=scenario.is_public or user.is_admin
        ),
        # A message of files alone is titled by its first file.
        title_if_empty="" if content.strip() or not attached else attached[0].name,
        attachment_ids=[str(row.id) for row in attached],
        attachments=uploads.attached_files(attached),
    )


async def _learned_preferences(
    session: AsyncSession, user: User, scenario_id: uuid.UUID
) -> tuple[list[str], int | None]:
    """The user's active learned preferences for this scenario, and the profile version they come from."""
    return await preference_service.active_instructions(session, user.id, scenario_id)


async def get_artifact(session: AsyncSession, user: User, artifact_id: uuid.UUID) -> Artifact:
    artifact = await repository.get_artifact_owned(session, user.id, artifact_id)
    if artifact is None:
        raise NotFoundError("No such artifact")
    return artifact


async def list_artifacts(session: AsyncSession, user: User, session_id: uuid.UUID) -> list[Artifact]:
    chat = await get_owned(session, user, session_id)
    return await repository.artifacts_of(session, chat.id, ArtifactSource.agent)


async def fail_interrupted_turns(session: AsyncSession) -> int:
    """At start-up: turns left running by a stopped server are recorded as failed."""
    return await repository.fail_running_messages(session, INTERRUPTED_TURN_ERROR)
