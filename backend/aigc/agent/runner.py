"""One agent process (a connected ClaudeSDKClient) and the translation of its messages into events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
import warnings
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claude_agent_sdk import (
    AssistantMessage,
    CanUseToolShadowedWarning,
    ClaudeSDKClient,
    ResultMessage,
    SessionStore,
    StreamEvent,
    SystemMessage,
    TextBlock,
    ToolResultBlock,
    ToolUseBlock,
    UserMessage,
)

from aigc.agent import events as ev
from aigc.agent.attachments import UserContent
from aigc.agent.options import ProcessSettings, TurnRequest, build_options
from aigc.agent.permissions import Denial, SessionGuard
from aigc.agent.processes import AgentRecord, ProcessBook, kill_group

logger = logging.getLogger(__name__)

SUMMARY_CHARS = 200

# The SDK warns that an MCP allow rule lets calls skip can_use_tool. Intended: the PreToolUse hook still
# sees every call (SessionGuard.check), and it is what refuses the tools a scenario does not list.
warnings.filterwarnings("ignore", category=CanUseToolShadowedWarning)


@dataclass(frozen=True)
class Closed:
    """The CLI's message stream ended (the process exited or was killed)."""

    error: BaseException | None = None


@dataclass(frozen=True)
class Wake:
    """Nothing to report: makes a waiting turn look at its deadlines again (after an interrupt)."""


class AgentProcess:
    """A warm agent: one CLI process kept connected across the turns of one chat session."""

    def __init__(self, session_key: str, fingerprint: tuple[object, ...]) -> None:
        self.session_key = session_key
        self.fingerprint = fingerprint
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.stderr_tail: deque[str] = deque(maxlen=20)
        self.client: ClaudeSDKClient | None = None
        self.sdk_session_id: str | None = None
        self.cost_total = 0.0  # the CLI's cumulative total_cost_usd, to report each turn's own cost
        self.last_used = time.monotonic()
        self.busy = False
        self.closed = False
        self._reader: asyncio.Task[None] | None = None
        # The platform's record of this CLI and its commands (None for agents without one, in tests).
        self.record: AgentRecord | None = None
        self.book: ProcessBook | None = None

    async def connect(
        self,
        req: TurnRequest,
        process: ProcessSettings,
        resume: str | None,
        timeout: float,
        shell_prefix: str | None = None,
        session_store: SessionStore | None = None,
        mcp_config: Path | None = None,
    ) -> None:
        """Start the CLI and wait until it answered the SDK's initialize request."""
        guard = SessionGuard(
            req.cwd,
            req.effective_tools(),
            on_denied=self.queue.put_nowait,
            shell_sandboxed=shell_prefix is not None,
            mcp_rules=req.mcp_rules(),
        )
        options = build_options(
            req,
            process,
            guard,
            resume,
            stderr=self.stderr_tail.append,
            shell_prefix=shell_prefix,
            session_store=session_store,
            mcp_config=mcp_config,
        )
        self.client = ClaudeSDKClient(options)
        self.sdk_session_id = resume
        # connect() disconnects by itself when it fails or is cancelled, so the CLI does not outlive it.
        started = time.monotonic()
        await asyncio.wait_for(self.client.connect(), timeout)
        if req.mcp_servers:
            await self._await_mcp(started + timeout)
        self._reader = asyncio.create_task(self._read(), name=f"agent-reader-{self.session_key}")

    async def _await_mcp(self, deadline: float) -> None:
        """Wait while the CLI still connects MCP servers: it holds the first model request until they are.

        Measured: the first query waits for every server to connect or fail, which the turn's stall watchdog
        would count against the model; here it counts as starting. A server that fails is left out.
        """
        assert self.client is not None
        while True:
            status = await asyncio.wait_for(
                self.client.get_mcp_status(), max(0.1, deadline - time.monotonic())
            )
            pending = [s["name"] for s in status.get("mcpServers", []) if s.get("status") == "pending"]
            failed = [s["name"] for s in status.get("mcpServers", []) if s.get("status") == "failed"]
            if not pending:
                if failed:
                    logger.warning("MCP servers %s failed to start for session %s", failed, self.session_key)
                return
            if time.monotonic() >= deadline:  # the CLI's own MCP timeout decides; the turn still runs
                logger.warning("MCP servers %s still starting for session %s", pending, self.session_key)
                return
            await asyncio.sleep(0.1)

    async def _read(self) -> None:
        """Move every SDK message into the queue the current turn reads, then a Closed marker."""
        assert self.client is not None
        try:
            async for message in self.client.receive_messages():
                self.queue.put_nowait(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the CLI died or wrote garbage; the turn reports it
            self.queue.put_nowait(Closed(exc))
            return
        self.queue.put_nowait(Closed())

    @property
    def pid(self) -> int | None:
        """The CLI's process id (the wrapper execs it, so it is the SDK child itself)."""
        transport = getattr(self.client, "_transport", None)
        child = getattr(transport, "_process", None)
        return getattr(child, "pid", None)

    def drain(self) -> None:
        """Forget what arrived between turns (late status frames of the previous one)."""
        while not self.queue.empty():
            item = self.queue.get_nowait()
            if isinstance(item, Closed):
                self.queue.put_nowait(item)  # a dead process stays dead for the next reader
                return

    async def close(self, kill: bool = False) -> None:
        """Disconnect; with kill, SIGKILL the CLI first so a wedged process cannot delay it."""
        if self.closed:
            return
        self.closed = True
        pid = self.pid
        if kill and pid is not None:
            record = self.record
            if record is not None and record.pid == pid:
                # The whole group, while its leader is surely the CLI (the SDK has not reaped it yet).
                kill_group(pid, pid, record.start)
            else:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
        if self.client is not None:
            try:
                # The SDK's close waits up to 5 s for a clean exit after stdin closes, then TERM, then KILL.
                await asyncio.wait_for(self.client.disconnect(), 20)
            except Exception:
                logger.warning("agent disconnect failed for %s", self.session_key, exc_info=True)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        if self.book is not None and self.record is not None:
            # The CLI's group, every recorded command and the agent's cgroups: nothing of it stays.
            await asyncio.to_thread(self.book.end, self.record, True)


@dataclass
class TurnOutcome:
    """How a turn ended, decided by the translator or the watchdog."""

    status: ev.DoneStatus = "ok"
    error: ev.Error | None = None
    keep_process: bool = True


@dataclass
class Translator:
    """Turns the SDK messages of one turn into platform events."""

    committed: str = ""  # text of completed assistant text blocks of this turn
    partial: str = ""  # text streamed since the last completed block
    stop_requested: bool = False
    sdk_session_id: str | None = None
    assistant_error: str | None = None
    denied_ids: set[str] = field(default_factory=set)
    running_tools: set[str] = field(default_factory=set)  # called and not yet answered
    cost_before: float = 0.0  # the process's running total before this turn (the CLI reports totals)
    outcome: TurnOutcome | None = None

    def feed(self, item: Any) -> list[ev.AgentEvent]:
        """Events for one queue item; sets `outcome` when the turn is over."""
        if isinstance(item, Denial):
            return self._denial(item.tool_use_id, item.tool_name, item.reason)
        if isinstance(item, StreamEvent):
            return self._stream(item)
        if isinstance(item, AssistantMessage):
            return self._assistant(item)
        if isinstance(item, UserMessage):
            return self._tool_results(item)
        if isinstance(item, SystemMessage):
            return self._system(item)
        if isinstance(item, ResultMessage):
            return self._result(item)
        return []

    def _denial(self, tool_use_id: str, tool_name: str, reason: str) -> list[ev.AgentEvent]:
        if tool_use_id and tool_use_id in self.denied_ids:
            return []
        self.denied_ids.add(tool_use_id)
        return [ev.PermissionDenied(tool_use_id=tool_use_id, tool_name=tool_name, reason=reason)]

    def _stream(self, item: StreamEvent) -> list[ev.AgentEvent]:
        if item.parent_tool_use_id is not None:
            return []  # a subagent's stream; its tool calls still show up as messages
        self.sdk_session_id = item.session_id or self.sdk_session_id
        event = item.event
        kind = event.get("type")
        if kind == "message_start":
            return self._reset("message_start")
        if kind == "content_block_delta":
            delta = event.get("delta") or {}
            if delta.get("type") == "text_delta" and delta.get("text"):
                self.partial += delta["text"]
                return [ev.TextDelta(text=delta["text"])]
        return []

    def _reset(self, reason: ev.ResetReason) -> list[ev.AgentEvent]:
        # Only text that was streamed but never completed can be replayed; nothing to undo otherwise.
        if not self.partial:
            return []
        self.partial = ""
        return [ev.TextReset(text=self.committed, reason=reason)]

    def _assistant(self, message: AssistantMessage) -> list[ev.AgentEvent]:
        if message.parent_tool_use_id is not None:
            return []
        self.sdk_session_id = message.session_id or self.sdk_session_id
        if message.error:
            self.assistant_error = message.error
        out: list[ev.AgentEvent] = []
        for block in message.content:
            if isinstance(block, TextBlock):
                # A block that was not streamed as shown (non-streaming fallback after broken streams, or a
                # replay) corrects the UI with the full text.
                replayed = self.partial != block.text
                self.committed += block.text
                self.partial = ""
                if replayed:
                    out.append(ev.TextReset(text=self.committed, reason="message_complete"))
            elif isinstance(block, ToolUseBlock):
                self.running_tools.add(block.id)
                out.append(
                    ev.ToolStarted(
                        tool_use_id=block.id, name=block.name, input_summary=summarize(block.input)
                    )
                )
        return out

    def _tool_results(self, message: UserMessage) -> list[ev.AgentEvent]:
        if message.parent_tool_use_id is not None or isinstance(message.content, str):
            return []
        self.running_tools -= {b.tool_use_id for b in message.content if isinstance(b, ToolResultBlock)}
        return [
            ev.ToolFinished(
                tool_use_id=block.tool_use_id,
                is_error=bool(block.is_error),
                result_summary=summarize(block.content),
            )
            for block in message.content
            if isinstance(block, ToolResultBlock)
        ]

    def _system(self, message: SystemMessage) -> list[ev.AgentEvent]:
        if message.subtype == "init":
            self.sdk_session_id = message.data.get("session_id") or self.sdk_session_id
        if message.subtype == "api_retry":
            return self._reset("api_retry")
        return []

    def _result(self, result: ResultMessage) -> list[ev.AgentEvent]:
        self.sdk_session_id = result.session_id or self.sdk_session_id
        out: list[ev.AgentEvent] = []
        for denial in result.permission_denials or []:
            if isinstance(denial, dict):
                out += self._denial(
                    str(denial.get("tool_use_id", "")),
                    str(denial.get("tool_name", "")),
                    "The agent's own permission rules refused this call.",
                )
        out.append(usage_event(result, self.cost_before))
        self.outcome = outcome_of(result, self.stop_requested, self.assistant_error)
        if self.outcome.error is not None:
            out.append(self.outcome.error)
        return out


def usage_event(result: ResultMessage, cost_before: float = 0.0) -> ev.Usage:
    """The usage event for a result message; tokens are per turn, the CLI's cost is a process total."""
    usage = result.usage or {}
    models = list((result.model_usage or {}).keys())
    return ev.Usage(
        input_tokens=int(usage.get("input_tokens") or 0),
        output_tokens=int(usage.get("output_tokens") or 0),
        cache_read_tokens=int(usage.get("cache_read_input_tokens") or 0),
        cache_creation_tokens=int(usage.get("cache_creation_input_tokens") or 0),
        cost_usd=max(0.0, float(result.total_cost_usd or 0.0) - cost_before),
        duration_ms=int(result.duration_ms or 0),
        num_turns=int(result.num_turns or 0),
        sdk_session_id=result.session_id,
        model=models[0] if models else None,
        permission_denials=[d for d in result.permission_denials or [] if isinstance(d, dict)],
    )


def outcome_of(result: ResultMessage, stop_requested: bool, assistant_error: str | None) -> TurnOutcome:
    """Map a ResultMessage to ok / stopped / a typed error, and whether the process may serve again."""
    if stop_requested:
        return TurnOutcome(status="stopped")
    if not result.is_error and result.subtype == "success":
        return TurnOutcome()
    detail = (result.result or "; ".join(result.errors or []) or result.subtype)[:500]
    if result.subtype == "error_max_turns":
        error = ev.Error(
            kind="max_turns",
            message="The agent reached its step limit for one message. "
            "Send another message to let it continue.",
            detail=detail,
        )
        return TurnOutcome(status="error", error=error)
    if result.subtype == "error_max_budget_usd":
        error = ev.Error(
            kind="budget_exceeded",
            message="This conversation reached its spending limit.",
            retryable=False,
            detail=detail,
        )
        return TurnOutcome(status="error", error=error)
    status = result.api_error_status
    if status in (401, 403) or assistant_error in ("authentication_failed", "billing_error"):
        error = ev.Error(
            kind="auth_error",
            message="The model service refused the platform's credentials. Please tell an administrator.",
            retryable=False,
            detail=detail,
        )
    elif status == 429 or assistant_error == "rate_limit":
        error = ev.Error(
            kind="rate_limited",
            message="The model service is busy right now (rate limit). Please try again in a minute.",
            detail=detail,
        )
    else:
        shown = f" (HTTP {status})" if status else ""
        error = ev.Error(
            kind="model_error", message=f"The model service failed{shown}. Please try again.", detail=detail
        )
    # An API failure may leave the CLI mid-retry or with a half-written transcript: start afresh next time.
    return TurnOutcome(status="error", error=error, keep_process=False)


def summarize(value: Any) -> str:
    """A short one-line rendering of a tool input or result for the UI."""
    if isinstance(value, dict):
        for key in ("file_path", "path", "pattern", "command", "url", "query", "skill", "description"):
            if isinstance(value.get(key), str):
                text = f"{key}={value[key]}"
                break
        else:
            text = ", ".join(f"{k}={v}" for k, v in value.items())
    elif isinstance(value, list):
        text = " ".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in value)
    else:
        text = "" if value is None else str(value)
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


@dataclass(frozen=True)
class TurnLimits:
    """Watchdog times of one turn, in seconds."""

    turn_timeout: float
    stall_timeout: float
    interrupt_grace: float


@dataclass
class TurnControl:
    """What the runtime and a running turn share: the stop request and, at the end, the outcome."""

    stop_requested: bool = False
    stop_deadline: float | None = None
    stopped: asyncio.Event = field(default_factory=asyncio.Event)
    process: AgentProcess | None = None
    outcome: TurnOutcome | None = None
    sdk_session_id: str | None = None


async def drive_turn(
    process: AgentProcess, prompt: UserContent, control: TurnControl, limits: TurnLimits
) -> Any:  # AsyncIterator[ev.AgentEvent]; typed loosely because it is an async generator
    """Send one prompt (text, or content blocks) to a connected process and yield its events until the turn is over."""
    assert process.client is not None
    translator = Translator(sdk_session_id=process.sdk_session_id, cost_before=process.cost_total)
    process.drain()
    try:
        message = prompt if isinstance(prompt, str) else _user_message(prompt)
        await asyncio.wait_for(process.client.query(message), limits.stall_timeout)
    except Exception as exc:
        control.outcome = crashed(f"could not send the message: {exc}", process)
        yield control.outcome.error
        return
    deadline = time.monotonic() + limits.turn_timeout
    while True:
        now = time.monotonic()
        waits = [(deadline, "timeout")]
        if not translator.running_tools:
            # A running tool (a long shell command, a slow fetch) sends nothing; only the turn limit applies.
            waits.append((now + limits.stall_timeout, "stalled"))
        if control.stop_deadline is not None:
            waits.append((control.stop_deadline, "stopped"))
        until, reason = min(waits)
        try:
            item = await asyncio.wait_for(process.queue.get(), max(0.0, until - now))
        except TimeoutError:
            control.outcome = await _watchdog(process, reason, limits)
            if control.outcome.error is not None:
                yield control.outcome.error
            break
        translator.stop_requested = control.stop_requested
        if isinstance(item, Closed):
            control.outcome = (
                TurnOutcome(status="stopped", keep_process=False)
                if control.stop_requested
                else crashed(f"the agent process ended: {item.error or 'exit'}", process)
            )
            if control.outcome.error is not None:
                yield control.outcome.error
            break
        if isinstance(item, ResultMessage) and item.total_cost_usd is not None:
            process.cost_total = item.total_cost_usd
        for event in translator.feed(item):
            yield event
        if translator.outcome is not None:
            control.outcome = translator.outcome
            break
    control.sdk_session_id = translator.sdk_session_id
    if translator.sdk_session_id:
        process.sdk_session_id = translator.sdk_session_id


async def _user_message(blocks: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """Content blocks as the one user message the SDK's streaming input sends (a str prompt cannot carry images)."""
    yield {"type": "user", "message": {"role": "user", "content": blocks}, "parent_tool_use_id": None}


async def _watchdog(process: AgentProcess, reason: str, limits: TurnLimits) -> TurnOutcome:
    """The turn ran out of time or went silent: interrupt, give it a moment, then give up on the process."""
    if reason == "stopped":
        return TurnOutcome(status="stopped", keep_process=False)
    logger.warning("agent turn %s for session %s; interrupting", reason, process.session_key)
    with contextlib.suppress(Exception):
        assert process.client is not None
        await asyncio.wait_for(process.client.interrupt(), limits.interrupt_grace)
    # The process is dropped either way (the runtime kills it); an interrupt that lands only lets the CLI
    # finish writing its transcript, so the next turn resumes with everything said so far.
    end = time.monotonic() + limits.interrupt_grace
    while (left := end - time.monotonic()) > 0:
        try:
            item = await asyncio.wait_for(process.queue.get(), left)
        except TimeoutError:
            break
        if isinstance(item, (ResultMessage, Closed)):
            break
    if reason == "timeout":
        error = ev.Error(
            kind="timeout",
            message="The agent took too long to answer and was stopped. "
            "Please try again, perhaps with a smaller request.",
        )
    else:
        error = ev.Error(
            kind="stalled",
            message="The model stopped sending data and the answer was abandoned. Please try again.",
        )
    return TurnOutcome(status="error", error=error, keep_process=False)


def crashed(detail: str, process: AgentProcess) -> TurnOutcome:
    """The outcome of a turn whose agent process failed."""
    stderr = " | ".join(process.stderr_tail)[-500:]
    error = ev.Error(
        kind="agent_crashed",
        message="The agent stopped unexpectedly. Please try again.",
        detail=f"{detail}; stderr: {stderr}" if stderr else detail,
    )
    return TurnOutcome(status="error", error=error, keep_process=False)
