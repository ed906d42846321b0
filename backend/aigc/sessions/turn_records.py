"""Recording a turn: the user's message before the agent answers, the reply and its artifacts after.

Each step opens its own short transaction (a turn outlives the request that started it) and reads and
writes through the sessions repository.
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.agent import events as agent_events
from aigc.core.db import session_scope
from aigc.core.errors import ConflictError
from aigc.core.models import utcnow
from aigc.scenarios import service as scenario_service
from aigc.sessions import artifacts as artifact_files
from aigc.sessions import repository
from aigc.sessions.models import Artifact, ArtifactSource, Message, TurnStatus
from aigc.stats import service as stats_service
from aigc.storage import ArtifactStorage, UploadItem, UploadResult, upload_in_background

if TYPE_CHECKING:
    from aigc.sessions.turns import TurnPlan

logger = logging.getLogger("aigc.turns")

TITLE_LENGTH = 60


@dataclass
class Transcript:
    """What the turn produced, accumulated from the agent's events (as users see them)."""

    text: str = ""
    tool_calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    denials: list[dict[str, Any]] = field(default_factory=list)
    usage: agent_events.UsageEvent | None = None
    status: agent_events.DoneStatus = "ok"
    error: str | None = None
    error_kind: str | None = None
    sdk_session_id: str | None = None
    after_tool: bool = False

    def apply(self, event: agent_events.AgentEvent) -> None:
        if isinstance(event, agent_events.TextDeltaEvent):
            self.text += event.text
            self.after_tool = False
        elif isinstance(event, agent_events.TextResetEvent):
            self.text = event.text
        elif isinstance(event, agent_events.ToolStartedEvent):
            self.after_tool = True
            self.tool_calls[event.tool_use_id] = {
                "tool_use_id": event.tool_use_id,
                "name": event.name,
                "input_summary": event.input_summary,
                "result_summary": None,
                "is_error": False,
                "denied": False,
                "denial_reason": None,
            }
        elif isinstance(event, agent_events.ToolFinishedEvent):
            call = self.tool_calls.setdefault(
                event.tool_use_id, {"tool_use_id": event.tool_use_id, "name": "?"}
            )
            call.update(result_summary=event.result_summary, is_error=event.is_error)
        elif isinstance(event, agent_events.PermissionDeniedEvent):
            denial = {"tool_use_id": event.tool_use_id, "tool_name": event.tool_name, "reason": event.reason}
            self.denials.append(denial)
            if event.tool_use_id in self.tool_calls:
                self.tool_calls[event.tool_use_id].update(
                    denied=True, denial_reason=event.reason, is_error=True
                )
        elif isinstance(event, agent_events.UsageEvent):
            self.usage = event
            self.sdk_session_id = event.sdk_session_id or self.sdk_session_id
        elif isinstance(event, agent_events.ErrorEvent):
            self.error = event.message
            self.error_kind = event.kind
        elif isinstance(event, agent_events.DoneEvent):
            self.status = event.status
            self.sdk_session_id = event.sdk_session_id or self.sdk_session_id


async def save_user_message(
    plan: TurnPlan, user_message_id: uuid.UUID, assistant_message_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID]:
    """The user's message and the (still running) reply's row; the session counts them and gets a title."""
    async with session_scope() as db:
        # Locked first: a session deleted meanwhile is then seen as gone, not as a failed insert (PostgreSQL).
        chat = await repository.get_session(db, plan.session_id, lock=True)
        if chat is None:
            raise ConflictError("The session was deleted", code="session_gone")
        user_message = Message(
            id=user_message_id,
            session_id=plan.session_id,
            user_id=plan.user_id,
            scenario_id=plan.scenario_id,
            role="user",
            content=plan.prompt,
            status=TurnStatus.ok.value,
        )
        assistant = Message(
            id=assistant_message_id,
            session_id=plan.session_id,
            user_id=plan.user_id,
            scenario_id=plan.scenario_id,
            role="assistant",
            status=TurnStatus.running.value,
            model=plan.model,
            preference_version=plan.preference_version,
            created_at=utcnow(),
        )
        # The assistant row sorts after the user row even when both get the same timestamp.
        assistant.created_at = max(assistant.created_at, user_message.created_at)
        db.add(user_message)
        db.add(assistant)
        chat.message_count += 2  # an update of the row: its updated_at moves with it
        if not chat.title:
            chat.title = plan.title_if_empty or title_from(plan.prompt)
        db.add(chat)
        if plan.scenario_id is not None:
            await scenario_service.touch_last_used(db, plan.user_id, plan.scenario_id)
        await db.flush()
        if plan.attachment_ids:
            ids = [uuid.UUID(upload_id) for upload_id in plan.attachment_ids]
            await repository.link_uploads(db, plan.session_id, ids, user_message.id)
        return user_message.id, assistant.id


def title_from(prompt: str) -> str:
    """A session title from its first message: one line, at most TITLE_LENGTH characters."""
    single_line = " ".join(prompt.split())
    return single_line if len(single_line) <= TITLE_LENGTH else single_line[: TITLE_LENGTH - 1] + "…"


async def record_reply(
    plan: TurnPlan,
    message_id: uuid.UUID,
    transcript: Transcript,
    found: list[artifact_files.FoundFile],
    started: float,
) -> list[Artifact]:
    """Save the finished reply, the session's cost and the day's stats; register the files as artifacts."""
    usage = transcript.usage
    async with session_scope() as db:
        message = await repository.get_message(db, message_id)
        chat = await repository.get_session(db, plan.session_id)
        if message is None or chat is None:
            return []  # the session was deleted while the turn ran
        message.content = transcript.text
        message.status = transcript.status
        message.error = transcript.error if transcript.status != TurnStatus.ok.value else None
        message.tool_calls = list(transcript.tool_calls.values())
        message.permission_denials = transcript.denials
        message.completed_at = utcnow()
        message.duration_ms = (
            usage.duration_ms if usage and usage.duration_ms else int((time.monotonic() - started) * 1000)
        )
        if usage is not None:
            message.input_tokens = usage.input_tokens
            message.output_tokens = usage.output_tokens
            message.cache_read_tokens = usage.cache_read_tokens
            message.cache_creation_tokens = usage.cache_creation_tokens
            message.cost_usd = usage.cost_usd
            message.num_turns = usage.num_turns
            message.model = usage.model or message.model
        db.add(message)
        chat.sdk_session_id = transcript.sdk_session_id or chat.sdk_session_id
        chat.total_cost_usd += message.cost_usd
        # A free reply from the same agent changes none of the session's columns, yet it is activity.
        repository.touch_session(chat)
        db.add(chat)
        await stats_service.record_turn(
            db,
            user_id=plan.user_id,
            scenario_id=plan.scenario_id,
            model=message.model,
            input_tokens=message.input_tokens,
            output_tokens=message.output_tokens,
            cost_usd=message.cost_usd,
            failed=message.status == TurnStatus.error.value,
            when=message.completed_at,
        )
        return [await _register_artifact(db, plan, message_id, item) for item in found]


async def _register_artifact(
    db: AsyncSession, plan: TurnPlan, message_id: uuid.UUID, item: artifact_files.FoundFile
) -> Artifact:
    artifact = await repository.get_artifact_by_path(db, plan.session_id, item.path)
    if artifact is None:
        artifact = Artifact(
            session_id=plan.session_id,
            user_id=plan.user_id,
            path=item.path,
            name=Path(item.path).name,
            storage_key=f"{plan.user_id}/{plan.session_id}/{item.path}",
            sha256=item.sha256,
        )
    artifact.message_id = message_id
    artifact.source = ArtifactSource.agent.value  # an upload the agent rewrote is its work now
    artifact.size = item.size
    artifact.sha256 = item.sha256
    artifact.mime_type = item.mime_type
    artifact.upload_status = "pending"
    db.add(artifact)
    await db.flush()
    return artifact


def upload_artifacts(
    storage: ArtifactStorage, artifacts: list[Artifact], found: list[artifact_files.FoundFile]
) -> None:
    """Copy the files to artifact storage in the background (the stream never waits), then record the outcome."""
    files = {f.path: f for f in found}
    items = [UploadItem(a.storage_key, files[a.path].absolute, a.mime_type) for a in artifacts]
    ids = {a.storage_key: a.id for a in artifacts}

    async def mark(result: UploadResult) -> None:
        async with session_scope() as db:
            artifact = await repository.get_artifact(db, ids[result.item.key])
            if artifact is not None:
                artifact.upload_status = "stored" if result.ok else "failed"
                db.add(artifact)
        if not result.ok:
            logger.warning("Storing artifact %s failed: %s", result.item.key, result.error)

    upload_in_background(storage, items, on_result=mark)


async def end_turn_unrun(
    assistant_message_id: uuid.UUID, status: TurnStatus, reason: str | None = None
) -> bool:
    """A turn that will not run on: its reply recorded as failed or stopped (False when it had ended)."""
    async with session_scope() as db:
        return await repository.end_running_message(db, assistant_message_id, status, reason)
