"""Agent turns: planned by the web process, run by a `TurnExecutor`, streamed to any number of listeners.

A turn outlives the request that started it: when the browser goes away the turn goes on and is saved,
and a client can re-attach and replay what it missed from the turn's numbered events. The endpoints use
a `TurnManager`: `LocalTurns` runs turns in this process (the embedded default); the scale-out manager
(aigc.sessions.distributed) hands them to `aigc worker` processes, which run the very same executor.
What is saved, and when, is in turn_records.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aigc.agent import AgentRuntime, McpServerSpec, TurnRequest, install_skills
from aigc.agent import events as agent_events
from aigc.agent.attachments import AttachedFile
from aigc.core import metrics, tracing
from aigc.core.aio import read_ahead
from aigc.core.errors import ConflictError
from aigc.core.models import new_id
from aigc.sessions import artifacts as artifact_files
from aigc.sessions import turn_records
from aigc.sessions.events import TURN_EVENT, AcceptedEvent, AnyTurnEvent, ArtifactEvent
from aigc.sessions.turn_records import Transcript
from aigc.sessions.turn_streams import LocalTurnStream, StreamEvent, TurnSink, TurnStream
from aigc.sessions.workspace import ensure_workspace
from aigc.storage import ArtifactStorage

__all__ = ["LocalTurns", "StreamEvent", "TurnExecutor", "TurnManager", "TurnPlan", "TurnStream"]

logger = logging.getLogger("aigc.turns")

# A finished turn's events stay available this long, so a client reconnecting just after the end still
# receives the tail it missed rather than having to reload the whole session.
FINISHED_STREAM_RETENTION_SECONDS = 120.0

# What a listener's turn ends with when the worker running it stopped (killed, lost its machine).
WORKER_STOPPED_ERROR = "The worker running this turn stopped; the reply was not finished"


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
    shell_limits: dict[str, Any] | None = field(default=None)
    # The scenario's MCP servers (integrations.schemas.McpServerForTurn as dicts), secrets included.
    mcp_servers: list[dict[str, Any]] = field(default_factory=list)
    # Uploads the message names: ids (linked to the saved message) and what the agent is told of them.
    attachment_ids: list[str] = field(default_factory=list)
    attachments: list[AttachedFile] = field(default_factory=list)

    def to_payload(self) -> dict[str, Any]:
        """JSON-safe, for the task queue (skills' file contents as base64)."""
        data = asdict(self)
        for key in ("session_id", "user_id", "scenario_id", "cwd"):
            data[key] = str(data[key]) if data[key] is not None else None
        data["skills"] = [
            [name, {path: base64.b64encode(content).decode() for path, content in files.items()}]
            for name, files in self.skills
        ]
        return data

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> TurnPlan:
        values = dict(data)
        values["session_id"] = uuid.UUID(values["session_id"])
        values["user_id"] = uuid.UUID(values["user_id"])
        values["scenario_id"] = uuid.UUID(values["scenario_id"]) if values["scenario_id"] else None
        values["cwd"] = Path(values["cwd"])
        values["skills"] = [
            (name, {path: base64.b64decode(content) for path, content in files.items()})
            for name, files in values["skills"]
        ]
        values["attachments"] = [AttachedFile(**item) for item in values.get("attachments", [])]
        return cls(**values)


class TurnManager(Protocol):
    """What the endpoints and jobs use to start, follow and stop turns, whichever process runs them."""

    runtime: AgentRuntime | None  # the agents of this process; None on a web replica that runs none

    async def start(self, plan: TurnPlan) -> TurnStream: ...

    async def stream_for(self, session_id: uuid.UUID) -> TurnStream | None: ...

    async def running_among(self, session_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]: ...

    async def stop(self, session_id: uuid.UUID) -> bool: ...

    async def release(self, session_id: uuid.UUID) -> None: ...

    async def shutdown(self) -> None: ...


class TurnExecutor:
    """Runs one turn of the agent, relays its events to a sink, and records the reply and its artifacts.

    The same code runs a turn in the web process (embedded) and in an `aigc worker` (scaled out).
    """

    def __init__(self, runtime: AgentRuntime, storage: ArtifactStorage) -> None:
        self.runtime = runtime
        self.storage = storage

    async def run(
        self,
        plan: TurnPlan,
        sink: TurnSink,
        accept: Callable[[], Awaitable[bool]],
        assistant_message_id: uuid.UUID,
        *,
        trace_parent: Mapping[str, str] | None = None,
    ) -> None:
        """Run the turn; `accept` waits until the user's message is saved (False: it was not, give up).

        Traced as one `turn` span, a child of `trace_parent` (the queued job's, on a worker) or of the
        current span (the request's, embedded), with the agent's tokens, cost and outcome.
        """
        transcript = Transcript()
        with tracing.span("turn", _span_attributes(plan, assistant_message_id), parent=trace_parent) as span:
            ran = await self._run(plan, sink, accept, assistant_message_id, transcript)
            span.set_attributes(_outcome_attributes(transcript) if ran else {"aigc.turn.status": "abandoned"})
            if ran and transcript.status == "error":
                span.fail(transcript.error or "error")

    async def _run(
        self,
        plan: TurnPlan,
        sink: TurnSink,
        accept: Callable[[], Awaitable[bool]],
        assistant_message_id: uuid.UUID,
        transcript: Transcript,
    ) -> bool:
        """The turn itself; False when it was given up because the user's message was not saved."""
        started = time.monotonic()
        before: dict[str, artifact_files.FileState] = {}
        accepted = False
        try:
            request = self._request(plan)
            await self._fetch_workspace(plan)
            before = await asyncio.to_thread(artifact_files.snapshot, plan.cwd)
            # The agent gets the prompt while the message is saved: its CLI needs tens of milliseconds before
            # it calls the model, the save a few. Its events wait in the read-ahead buffer until the save is done.
            async with read_ahead(self.runtime.run_turn(request)) as agent:
                accepted = await accept()
                if accepted:
                    await self._relay(agent, plan, sink, transcript)
            if not accepted:  # leaving the block stopped the agent
                await self.abandon(plan)
                return False
        except Exception as exc:  # the turn must end cleanly whatever broke
            if not accepted and not await accept():
                await self.abandon(plan)
                return False
            logger.exception("Turn of session %s failed", plan.session_id)
            transcript.status = "error"
            transcript.error_kind = "internal"
            transcript.error = f"The turn failed on the server ({type(exc).__name__})"
            await sink.publish(agent_events.ErrorEvent(kind="internal", message=transcript.error))
        if transcript.status == "error" and not transcript.error:
            transcript.error = "The turn ended with an error"
        try:
            found = await asyncio.to_thread(artifact_files.changed_files, plan.cwd, before)
            artifacts = await turn_records.record_reply(
                plan, assistant_message_id, transcript, found, started
            )
            if artifacts:
                turn_records.upload_artifacts(self.storage, artifacts, found)
            for artifact in artifacts:
                await sink.publish(ArtifactEvent.model_validate(artifact))
        except Exception:
            logger.exception("Saving the turn of session %s failed", plan.session_id)
            transcript.status = "error"
        usage = transcript.usage
        metrics.observe_turn(
            transcript.status,
            transcript.error_kind,
            usage.input_tokens if usage else 0,
            usage.output_tokens if usage else 0,
            usage.cost_usd if usage else 0.0,
        )
        await sink.publish(
            agent_events.DoneEvent(
                status=transcript.status, message_id=assistant_message_id, error=transcript.error
            )
        )
        await sink.finish()
        return True

    async def _fetch_workspace(self, plan: TurnPlan) -> None:
        """The session's earlier files, when this machine's folder lacks them (another worker made them)."""
        try:
            await ensure_workspace(self.storage, plan.cwd, plan.user_id, plan.session_id)
        except Exception as exc:  # storage away: the agent still answers, without the missing files
            logger.warning("Could not restore the files of session %s: %s", plan.session_id, exc)

    async def abandon(self, plan: TurnPlan) -> None:
        """The user's message could not be saved: the agent's process goes too, whatever it got to do."""
        try:
            await self.runtime.release(str(plan.session_id))
        except Exception:
            logger.exception("Releasing the agent of session %s failed", plan.session_id)

    def _request(self, plan: TurnPlan) -> TurnRequest:
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
            attachments=plan.attachments,
            # The scenario's own limits over the deployment's (AGENT_SHELL_*), field by field.
            shell_limits=(
                dataclasses.replace(self.runtime.config.shell_limits, **plan.shell_limits)
                if plan.shell_limits
                else None
            ),
            mcp_servers=[
                McpServerSpec(name=server["name"], config=server["config"], tools=tuple(server["tools"]))
                for server in plan.mcp_servers
            ],
        )

    @staticmethod
    async def _relay(
        agent: AsyncIterator[agent_events.AgentEvent],
        plan: TurnPlan,
        sink: TurnSink,
        transcript: Transcript,
    ) -> None:
        """The agent's events, shaped for users, into the transcript and onto the stream."""
        cwd = plan.cwd.resolve()
        async for raw_event in agent:
            event = _shape(raw_event, transcript, cwd)
            transcript.apply(event)
            if isinstance(event, agent_events.Error):
                # What the endpoint or the agent said stays here, for operators; users get the message.
                logger.warning(
                    "Turn of session %s failed (%s): %s",
                    plan.session_id,
                    event.kind,
                    event.detail or event.message,
                )
            if not isinstance(event, agent_events.DoneEvent):  # the stream's own `done` comes after saving
                await sink.publish(_relayed(event))


class LocalTurns:
    """Runs turns in this process and keeps their streams in memory (the embedded default)."""

    def __init__(self, runtime: AgentRuntime, storage: ArtifactStorage) -> None:
        self.runtime: AgentRuntime | None = runtime
        self.executor = TurnExecutor(runtime, storage)
        self._streams: dict[uuid.UUID, LocalTurnStream] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def stream_for(self, session_id: uuid.UUID) -> TurnStream | None:
        self._drop_expired()
        return self._streams.get(session_id)

    def is_running(self, session_id: uuid.UUID) -> bool:
        stream = self._streams.get(session_id)
        return stream is not None and not stream.finished

    async def running_among(self, session_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        return {sid for sid in session_ids if self.is_running(sid)}

    async def start(self, plan: TurnPlan) -> TurnStream:
        """Save the user's message, start the agent in the background, and return the turn's stream."""
        # Finished streams hold every event of their turn: drop the expired ones where new ones are added.
        self._drop_expired()
        if self.is_running(plan.session_id):
            raise turn_running_error()
        stream = LocalTurnStream(plan.session_id, plan.user_id)
        self._streams[plan.session_id] = stream
        user_message_id, assistant_message_id = new_id(), new_id()
        save = asyncio.create_task(
            turn_records.save_user_message(plan, user_message_id, assistant_message_id)
        )

        async def accept() -> bool:
            return await _accept_when_saved(plan, stream, save)

        task = asyncio.create_task(
            self.executor.run(plan, stream, accept, assistant_message_id), name=f"turn-{plan.session_id}"
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
        return await self.executor.runtime.interrupt(str(session_id))

    async def release(self, session_id: uuid.UUID) -> None:
        """Free the session's warm agent (deleting the session)."""
        runtime = self.executor.runtime
        if self.is_running(session_id):
            await runtime.interrupt(str(session_id))
        await runtime.release(str(session_id))

    async def shutdown(self) -> None:
        runtime = self.executor.runtime
        for session_id in [sid for sid in self._streams if self.is_running(sid)]:
            await runtime.interrupt(str(session_id))
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=10)
        await runtime.shutdown()

    def _drop_expired(self) -> None:
        now = time.monotonic()
        for session_id, stream in list(self._streams.items()):
            if (
                stream.finished_at is not None
                and now - stream.finished_at > FINISHED_STREAM_RETENTION_SECONDS
            ):
                del self._streams[session_id]


def turn_running_error() -> ConflictError:
    return ConflictError(
        "A reply is still being written in this session; stop it or wait", code="turn_running"
    )


async def _accept_when_saved(
    plan: TurnPlan, stream: LocalTurnStream, save: asyncio.Task[tuple[uuid.UUID, uuid.UUID]]
) -> bool:
    """Wait for the user's message to be saved; announce the turn, or end it when the save failed."""
    try:
        user_message_id, assistant_message_id = await asyncio.shield(save)
    except BaseException:  # `start` answers the request with the error
        stream.finish_now()
        return False
    stream.publish_now(
        AcceptedEvent(
            session_id=plan.session_id,
            user_message_id=user_message_id,
            assistant_message_id=assistant_message_id,
        )
    )
    return True


def _span_attributes(plan: TurnPlan, turn_id: uuid.UUID) -> dict[str, str]:
    attributes = {
        "aigc.session.id": str(plan.session_id),
        "aigc.turn.id": str(turn_id),
        "aigc.turn.model": plan.model,
        "gen_ai.request.model": plan.model,
    }
    if plan.scenario_id is not None:
        attributes["aigc.scenario.id"] = str(plan.scenario_id)
    return attributes


def _outcome_attributes(transcript: Transcript) -> dict[str, str | int | float]:
    """The turn's outcome; tokens also under the GenAI conventions, which tracing backends chart."""
    usage = transcript.usage
    input_tokens, output_tokens = (usage.input_tokens, usage.output_tokens) if usage else (0, 0)
    attributes: dict[str, str | int | float] = {
        "aigc.turn.status": transcript.status,
        "aigc.turn.input_tokens": input_tokens,
        "aigc.turn.output_tokens": output_tokens,
        "aigc.turn.cost_usd": usage.cost_usd if usage else 0.0,
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
    }
    if transcript.error_kind:
        attributes["aigc.turn.error_kind"] = transcript.error_kind
    return attributes


def _shape(event: agent_events.AgentEvent, transcript: Transcript, cwd: Path) -> agent_events.AgentEvent:
    """What users see: paths relative to the session folder, a paragraph break where text resumes after a tool.

    The text before and after a tool call comes as separate assistant messages; glued together they run on.
    Absolute paths would show the server's layout and the user's id.
    """
    prefix = f"{cwd}/"
    if isinstance(event, agent_events.TextDeltaEvent) and transcript.after_tool and transcript.text.strip():
        return event.model_copy(update={"text": "\n\n" + event.text})
    if isinstance(event, agent_events.ToolStartedEvent):
        return event.model_copy(update={"input_summary": event.input_summary.replace(prefix, "")})
    if isinstance(event, agent_events.ToolFinishedEvent):
        return event.model_copy(update={"result_summary": event.result_summary.replace(prefix, "")})
    if isinstance(event, agent_events.PermissionDeniedEvent):
        return event.model_copy(update={"reason": event.reason.replace(prefix, "")})
    return event


def _relayed(event: agent_events.AgentEvent) -> AnyTurnEvent:
    """The agent's event as one of the stream's; an event the published contract lacks fails here, loudly."""
    return TURN_EVENT.validate_python(event)
