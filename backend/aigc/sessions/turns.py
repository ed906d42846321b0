"""Agent turns that run on the server: started by a request, streamed to any number of listeners, saved at the end.

A turn outlives the request that started it: when the browser goes away the turn goes on and is saved,
and a client can re-attach and replay what it missed from the turn's numbered event buffer.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from aigc.agent import AgentRuntime, TurnRequest, install_skills
from aigc.agent import events as agent_events
from aigc.core.aio import read_ahead
from aigc.core.db import session_scope
from aigc.core.errors import ConflictError
from aigc.core.models import new_id, utcnow
from aigc.platform import metrics
from aigc.sessions import artifacts as artifact_files
from aigc.sessions import repository
from aigc.sessions.models import Artifact, ChatSession, Message, TurnStatus
from aigc.sessions.schemas import ArtifactPublic
from aigc.stats import service as stats_service
from aigc.storage import ArtifactStorage, UploadItem, upload_in_background

logger = logging.getLogger("aigc.turns")

# A finished turn's events stay available this long, so a client reconnecting just after the end still
# receives the tail it missed rather than having to reload the whole session.
FINISHED_STREAM_RETENTION_SECONDS = 120.0
TITLE_LENGTH = 60


@dataclass(frozen=True)
class StreamEvent:
    id: int
    event: str
    data: dict[str, Any]


class TurnStream:
    """The numbered events of one turn; listeners follow it from any point."""

    def __init__(self, session_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.events: list[StreamEvent] = []
        self.finished = False
        self.finished_at: float | None = None
        self._wakeup = asyncio.Event()

    def publish(self, event: str, data: dict[str, Any]) -> None:
        self.events.append(StreamEvent(len(self.events) + 1, event, data))
        self._wake()

    def finish(self) -> None:
        self.finished = True
        self.finished_at = time.monotonic()
        self._wake()

    def _wake(self) -> None:
        # Waiters hold the old event; a fresh one is armed for the next change.
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    async def follow(self, after: int = 0) -> AsyncIterator[StreamEvent]:
        """Every event after id `after`, then new ones as they come, until the turn has finished."""
        index = max(0, after)
        while True:
            while index < len(self.events):
                yield self.events[index]
                index += 1
            if self.finished:
                return
            await self._wakeup.wait()


@dataclass
class TurnPlan:
    """Everything a turn needs, resolved by the sessions service before it starts."""

    session_id: uuid.UUID
    user_id: uuid.UUID
    scenario_id: uuid.UUID | None
    prompt: str
    cwd: Path
    model: str
    system_prompt: str
    tools: list[str]
    skills: list[tuple[str, dict[str, bytes]]]
    max_turns: int
    max_budget_usd: float | None
    resume: str | None
    preference_version: int | None = None
    title_if_empty: str = ""


@dataclass
class _Transcript:
    """What the turn produced, accumulated from agent events."""

    text: str = ""
    tool_calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    denials: list[dict[str, Any]] = field(default_factory=list)
    usage: agent_events.Usage | None = None
    status: str = TurnStatus.ok.value
    error: str | None = None
    error_kind: str | None = None
    sdk_session_id: str | None = None
    after_tool: bool = False

    def shape(self, event: agent_events.AgentEvent, cwd: Path) -> agent_events.AgentEvent:
        """What users see: paths relative to the session folder, a paragraph break where text resumes after a tool.

        The text before and after a tool call comes as separate assistant messages; glued together they run on.
        Absolute paths would show the server's layout and the user's id.
        """
        prefix = f"{cwd}/"
        if isinstance(event, agent_events.TextDelta) and self.after_tool and self.text.strip():
            return replace(event, text="\n\n" + event.text)
        if isinstance(event, agent_events.ToolStarted):
            return replace(event, input_summary=event.input_summary.replace(prefix, ""))
        if isinstance(event, agent_events.ToolFinished):
            return replace(event, result_summary=event.result_summary.replace(prefix, ""))
        if isinstance(event, agent_events.PermissionDenied):
            return replace(event, reason=event.reason.replace(prefix, ""))
        return event

    def apply(self, event: agent_events.AgentEvent) -> None:
        if isinstance(event, agent_events.TextDelta):
            self.text += event.text
            self.after_tool = False
        elif isinstance(event, agent_events.TextReset):
            self.text = event.text
        elif isinstance(event, agent_events.ToolStarted):
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
        elif isinstance(event, agent_events.ToolFinished):
            call = self.tool_calls.setdefault(
                event.tool_use_id, {"tool_use_id": event.tool_use_id, "name": "?"}
            )
            call.update(result_summary=event.result_summary, is_error=event.is_error)
        elif isinstance(event, agent_events.PermissionDenied):
            denial = {"tool_use_id": event.tool_use_id, "tool_name": event.tool_name, "reason": event.reason}
            self.denials.append(denial)
            if event.tool_use_id in self.tool_calls:
                self.tool_calls[event.tool_use_id].update(
                    denied=True, denial_reason=event.reason, is_error=True
                )
        elif isinstance(event, agent_events.Usage):
            self.usage = event
            self.sdk_session_id = event.sdk_session_id or self.sdk_session_id
        elif isinstance(event, agent_events.Error):
            self.error = event.message
            self.error_kind = event.kind
        elif isinstance(event, agent_events.Done):
            self.status = event.status
            self.sdk_session_id = event.sdk_session_id or self.sdk_session_id


class TurnManager:
    """Starts turns, keeps their streams for listeners, and stops them; one per server process."""

    def __init__(self, runtime: AgentRuntime, storage: ArtifactStorage) -> None:
        self.runtime = runtime
        self.storage = storage
        self._streams: dict[uuid.UUID, TurnStream] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def stream_for(self, session_id: uuid.UUID) -> TurnStream | None:
        self._drop_expired()
        return self._streams.get(session_id)

    def is_running(self, session_id: uuid.UUID) -> bool:
        stream = self._streams.get(session_id)
        return stream is not None and not stream.finished

    def running_sessions(self) -> set[uuid.UUID]:
        return {sid for sid, stream in self._streams.items() if not stream.finished}

    async def start(self, plan: TurnPlan) -> TurnStream:
        """Save the user's message, start the agent in the background, and return the turn's stream."""
        # Finished streams hold every event of their turn: drop the expired ones where new ones are added.
        self._drop_expired()
        if self.is_running(plan.session_id):
            raise ConflictError(
                "A reply is still being written in this session; stop it or wait", code="turn_running"
            )
        stream = TurnStream(plan.session_id, plan.user_id)
        self._streams[plan.session_id] = stream
        user_message_id, assistant_message_id = new_id(), new_id()
        save = asyncio.create_task(_save_user_message(plan, user_message_id, assistant_message_id))
        task = asyncio.create_task(
            self._run(plan, stream, save, assistant_message_id), name=f"turn-{plan.session_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            # Shielded: a client that leaves while the message is being saved must not break the turn.
            await asyncio.shield(save)
        except asyncio.CancelledError:
            raise  # the turn goes on in the background, its stream still registered for re-attaching
        except BaseException:
            self._streams.pop(plan.session_id, None)
            raise
        return stream

    async def stop(self, session_id: uuid.UUID) -> bool:
        """Interrupt the running turn; it ends as `stopped` and is saved."""
        if not self.is_running(session_id):
            return False
        return await self.runtime.interrupt(str(session_id))

    async def release(self, session_id: uuid.UUID) -> None:
        """Free the session's warm agent (deleting the session)."""
        if self.is_running(session_id):
            await self.runtime.interrupt(str(session_id))
        await self.runtime.release(str(session_id))

    async def shutdown(self) -> None:
        for session_id in list(self.running_sessions()):
            await self.runtime.interrupt(str(session_id))
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        await self.runtime.shutdown()

    def _drop_expired(self) -> None:
        now = time.monotonic()
        for session_id, stream in list(self._streams.items()):
            if (
                stream.finished_at is not None
                and now - stream.finished_at > FINISHED_STREAM_RETENTION_SECONDS
            ):
                del self._streams[session_id]

    @staticmethod
    async def _accept(
        plan: TurnPlan, stream: TurnStream, save: asyncio.Task[tuple[uuid.UUID, uuid.UUID]]
    ) -> bool:
        """Wait for the user's message to be saved; announce the turn, or end it when the save failed."""
        try:
            user_message_id, assistant_message_id = await asyncio.shield(save)
        except BaseException:  # `start` answers the request with the error
            stream.finish()
            return False
        stream.publish(
            "accepted",
            {
                "session_id": str(plan.session_id),
                "user_message_id": str(user_message_id),
                "assistant_message_id": str(assistant_message_id),
            },
        )
        return True

    async def _run(
        self,
        plan: TurnPlan,
        stream: TurnStream,
        save: asyncio.Task[tuple[uuid.UUID, uuid.UUID]],
        assistant_message_id: uuid.UUID,
    ) -> None:
        transcript = _Transcript()
        started = time.monotonic()
        before: dict[str, artifact_files.FileState] = {}
        accepted = False
        try:
            request = self._request(plan)
            before = await asyncio.to_thread(artifact_files.snapshot, plan.cwd)
            # The agent gets the prompt while the message is saved: its CLI needs tens of milliseconds before
            # it calls the model, the save a few. Its events wait in the read-ahead buffer until the save is done.
            async with read_ahead(self.runtime.run_turn(request)) as agent:
                accepted = await self._accept(plan, stream, save)
                if accepted:
                    await self._relay(agent, plan, stream, transcript)
            if not accepted:  # leaving the block stopped the agent
                await self._abandon(plan)
                return
        except Exception as exc:  # the turn must end cleanly whatever broke
            if not accepted and not await self._accept(plan, stream, save):
                await self._abandon(plan)
                return
            logger.exception("Turn of session %s failed", plan.session_id)
            transcript.status = TurnStatus.error.value
            transcript.error_kind = "internal"
            transcript.error = f"The turn failed on the server ({type(exc).__name__})"
            stream.publish("error", {"kind": "internal", "message": transcript.error})
        if transcript.status == TurnStatus.error.value and not transcript.error:
            transcript.error = "The turn ended with an error"
        try:
            found = await asyncio.to_thread(artifact_files.changed_files, plan.cwd, before)
            artifacts = await self._finish(plan, assistant_message_id, transcript, found, started)
            for artifact in artifacts:
                stream.publish("artifact", ArtifactPublic.model_validate(artifact).model_dump(mode="json"))
        except Exception:
            logger.exception("Saving the turn of session %s failed", plan.session_id)
            transcript.status = TurnStatus.error.value
        usage = transcript.usage
        metrics.observe_turn(
            transcript.status,
            transcript.error_kind,
            usage.input_tokens if usage else 0,
            usage.output_tokens if usage else 0,
            usage.cost_usd if usage else 0.0,
        )
        stream.publish(
            "done",
            {"status": transcript.status, "message_id": str(assistant_message_id), "error": transcript.error},
        )
        stream.finish()

    async def _abandon(self, plan: TurnPlan) -> None:
        """The user's message could not be saved: the agent's process goes too, whatever it got to do."""
        try:
            await self.runtime.release(str(plan.session_id))
        except Exception:
            logger.exception("Releasing the agent of session %s failed", plan.session_id)

    @staticmethod
    def _request(plan: TurnPlan) -> TurnRequest:
        plan.cwd.mkdir(parents=True, exist_ok=True)
        return TurnRequest(
            session_key=str(plan.session_id),
            cwd=plan.cwd,
            prompt=plan.prompt,
            model=plan.model,
            system_prompt=plan.system_prompt,
            tools=plan.tools,
            skills=install_skills(plan.cwd, plan.skills),
            max_turns=plan.max_turns,
            max_budget_usd=plan.max_budget_usd,
            resume=plan.resume,
        )

    @staticmethod
    async def _relay(
        agent: AsyncIterator[agent_events.AgentEvent],
        plan: TurnPlan,
        stream: TurnStream,
        transcript: _Transcript,
    ) -> None:
        """The agent's events, shaped for users, into the transcript and onto the stream."""
        cwd = plan.cwd.resolve()
        async for raw_event in agent:
            event = transcript.shape(raw_event, cwd)
            transcript.apply(event)
            if isinstance(event, agent_events.Error):
                # What the endpoint or the agent said stays here, for operators; users get the message.
                logger.warning(
                    "Turn of session %s failed (%s): %s",
                    plan.session_id,
                    event.kind,
                    event.detail or event.message,
                )
            if not isinstance(event, agent_events.Done):
                stream.publish(event.type, _wire(event))

    async def _finish(
        self,
        plan: TurnPlan,
        message_id: uuid.UUID,
        transcript: _Transcript,
        found: list[artifact_files.FoundFile],
        started: float,
    ) -> list[Artifact]:
        usage = transcript.usage
        async with session_scope() as db:
            message = await db.get(Message, message_id)
            chat = await db.get(ChatSession, plan.session_id)
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
            chat.updated_at = utcnow()
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
            artifacts = [await _register_artifact(db, plan, message_id, item) for item in found]
        if artifacts:
            self._upload(artifacts, {a.path: f for a, f in zip(artifacts, found, strict=True)})
        return artifacts

    def _upload(self, artifacts: list[Artifact], files: dict[str, artifact_files.FoundFile]) -> None:
        """Copy the files to artifact storage in the background: the stream never waits for it."""
        items = [UploadItem(a.storage_key, files[a.path].absolute, a.mime_type) for a in artifacts]
        ids = {a.storage_key: a.id for a in artifacts}

        async def mark(result: Any) -> None:
            async with session_scope() as db:
                artifact = await db.get(Artifact, ids[result.item.key])
                if artifact is not None:
                    artifact.upload_status = "stored" if result.ok else "failed"
                    db.add(artifact)
            if not result.ok:
                logger.warning("Storing artifact %s failed: %s", result.item.key, result.error)

        upload_in_background(self.storage, items, on_result=mark)


async def _save_user_message(
    plan: TurnPlan, user_message_id: uuid.UUID, assistant_message_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID]:
    async with session_scope() as db:
        # Locked first: a session deleted meanwhile is then seen as gone, not as a failed insert (PostgreSQL).
        chat = await db.get(ChatSession, plan.session_id, with_for_update=True)
        if chat is None:
            raise ConflictError("The session was deleted", code="session_gone")
        common = {"session_id": plan.session_id, "user_id": plan.user_id, "scenario_id": plan.scenario_id}
        user_message = Message(
            id=user_message_id, role="user", content=plan.prompt, status=TurnStatus.ok.value, **common
        )
        assistant = Message(
            id=assistant_message_id,
            role="assistant",
            status=TurnStatus.running.value,
            model=plan.model,
            preference_version=plan.preference_version,
            created_at=utcnow(),
            **common,
        )
        # The assistant row sorts after the user row even when both get the same timestamp.
        assistant.created_at = max(assistant.created_at, user_message.created_at)
        db.add(user_message)
        db.add(assistant)
        chat.message_count += 2
        chat.updated_at = utcnow()
        if not chat.title:
            chat.title = plan.title_if_empty or _title_from(plan.prompt)
        db.add(chat)
        if plan.scenario_id is not None:
            from aigc.scenarios import service as scenario_service

            await scenario_service.touch_last_used(db, plan.user_id, plan.scenario_id)
        await db.flush()
        return user_message.id, assistant.id


def _title_from(prompt: str) -> str:
    single_line = " ".join(prompt.split())
    return single_line if len(single_line) <= TITLE_LENGTH else single_line[: TITLE_LENGTH - 1] + "…"


async def _register_artifact(
    db: Any, plan: TurnPlan, message_id: uuid.UUID, item: artifact_files.FoundFile
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
    artifact.size = item.size
    artifact.sha256 = item.sha256
    artifact.mime_type = item.mime_type
    artifact.upload_status = "pending"
    artifact.updated_at = utcnow()
    db.add(artifact)
    await db.flush()
    return artifact


def _wire(event: agent_events.AgentEvent) -> dict[str, Any]:
    data = event.to_dict()
    data.pop("type", None)
    data.pop("detail", None)  # endpoint internals stay in the logs
    return data
