"""Events one agent turn yields to its caller (the sessions service turns them into SSE)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal

ErrorKind = Literal[
    "model_error",
    "auth_error",
    "rate_limited",
    "timeout",
    "stalled",
    "agent_crashed",
    "sandbox_unavailable",
    "budget_exceeded",
    "max_turns",
    "invalid_request",
    "shutting_down",
    "busy",
]
DoneStatus = Literal["ok", "error", "stopped"]
ResetReason = Literal["message_start", "api_retry", "message_complete"]


@dataclass(frozen=True)
class AgentEvent:
    """Base of every event; `type` names it on the wire."""

    type: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: the fields plus `type`."""
        return {"type": self.type, **asdict(self)}


@dataclass(frozen=True)
class Queued(AgentEvent):
    """The run limit is reached; the turn waits. `position` 1 means next in line."""

    type: ClassVar[str] = "queued"
    position: int


@dataclass(frozen=True)
class Started(AgentEvent):
    """The turn got a slot; `warm` tells whether an already running agent took it."""

    type: ClassVar[str] = "started"
    warm: bool = False
    resumed: bool = False


@dataclass(frozen=True)
class TextDelta(AgentEvent):
    """A piece of assistant text, to append to what the turn showed so far."""

    type: ClassVar[str] = "text_delta"
    text: str


@dataclass(frozen=True)
class TextReset(AgentEvent):
    """Replace all text the turn showed so far with `text`: streamed text was dropped or replayed.

    Sent on a `message_start` or an `api_retry` that follows text which never completed (the CLI replays the
    whole message after a broken stream), and when a completed text block differs from what was streamed
    (the CLI's non-streaming fallback delivers a block without deltas).
    """

    type: ClassVar[str] = "text_reset"
    text: str
    reason: ResetReason


@dataclass(frozen=True)
class ToolStarted(AgentEvent):
    """The agent calls a tool."""

    type: ClassVar[str] = "tool_started"
    tool_use_id: str
    name: str
    input_summary: str


@dataclass(frozen=True)
class ToolFinished(AgentEvent):
    """A tool call returned (an error result includes a denial)."""

    type: ClassVar[str] = "tool_finished"
    tool_use_id: str
    is_error: bool
    result_summary: str


@dataclass(frozen=True)
class PermissionDenied(AgentEvent):
    """The platform (or the agent CLI itself) refused a tool call; the turn goes on."""

    type: ClassVar[str] = "permission_denied"
    tool_use_id: str
    tool_name: str
    reason: str


@dataclass(frozen=True)
class Usage(AgentEvent):
    """What the turn cost; sent once, just before `done` when the agent reported it."""

    type: ClassVar[str] = "usage"
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    cost_usd: float = 0.0
    duration_ms: int = 0
    num_turns: int = 0
    sdk_session_id: str | None = None
    model: str | None = None
    permission_denials: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Error(AgentEvent):
    """The turn failed; `message` is written for the person using the platform."""

    type: ClassVar[str] = "error"
    kind: ErrorKind
    message: str
    retryable: bool = True
    detail: str = ""  # what the agent or endpoint said, for logs and admins


@dataclass(frozen=True)
class Done(AgentEvent):
    """Always the last event of a turn."""

    type: ClassVar[str] = "done"
    status: DoneStatus
    sdk_session_id: str | None = None
