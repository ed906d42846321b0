"""Events one agent turn yields to its caller; the sessions service streams them to the browser as SSE.

They are Pydantic models because they are also the wire contract: the sessions router publishes them (with
the events only a session adds) as one union in the OpenAPI document, and the web app's types are generated
from it. `type` names an event, on the wire as the SSE `event:` and in its JSON. A field marked
`exclude=True` is for the server only: it is neither sent nor published.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    "worker_lost",
    "busy",
    "internal",
]
DoneStatus = Literal["ok", "error", "stopped"]
ResetReason = Literal["message_start", "api_retry", "message_complete"]


class AgentEvent(BaseModel):
    """Base of every event; `type` names it on the wire."""

    # Defaults required in the published schema: the server always sends them, so the generated types
    # need not treat them as optional. An unknown field is refused, so a test that parses what a real turn
    # streams catches a field sent without being declared.
    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=True)

    type: str

    def to_dict(self) -> dict[str, Any]:
        """Every field, the server-only ones included, with `type` (for logs and tests)."""
        return {name: getattr(self, name) for name in type(self).model_fields}


class QueuedEvent(AgentEvent):
    """The run limit is reached; the turn waits. `position` 1 means next in line."""

    type: Literal["queued"] = "queued"
    position: int


class StartedEvent(AgentEvent):
    """The turn got a slot; `warm` tells whether an already running agent took it."""

    type: Literal["started"] = "started"
    warm: bool = False
    resumed: bool = False


class TextDeltaEvent(AgentEvent):
    """A piece of assistant text, to append to what the turn showed so far."""

    type: Literal["text_delta"] = "text_delta"
    text: str


class TextResetEvent(AgentEvent):
    """Replace all text the turn showed so far with `text`: streamed text was dropped or replayed.

    Sent on a `message_start` or an `api_retry` that follows text which never completed (the CLI replays the
    whole message after a broken stream), and when a completed text block differs from what was streamed
    (the CLI's non-streaming fallback delivers a block without deltas).
    """

    type: Literal["text_reset"] = "text_reset"
    text: str
    reason: ResetReason


class ToolStartedEvent(AgentEvent):
    """The agent calls a tool."""

    type: Literal["tool_started"] = "tool_started"
    tool_use_id: str
    name: str
    input_summary: str


class ToolFinishedEvent(AgentEvent):
    """A tool call returned (an error result includes a denial)."""

    type: Literal["tool_finished"] = "tool_finished"
    tool_use_id: str
    is_error: bool
    result_summary: str


class PermissionDeniedEvent(AgentEvent):
    """The platform (or the agent CLI itself) refused a tool call; the turn goes on."""

    type: Literal["permission_denied"] = "permission_denied"
    tool_use_id: str
    tool_name: str
    reason: str


class UsageEvent(AgentEvent):
    """What the turn cost; sent once, just before `done` when the agent reported it."""

    type: Literal["usage"] = "usage"
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_creation_tokens: int = 0
    cost_usd: float = 0.0
    duration_ms: int = 0
    num_turns: int = 0
    model: str | None = None
    # The SDK's session id is how the server resumes the agent; it is no business of the browser's.
    sdk_session_id: str | None = Field(default=None, exclude=True)
    # The CLI's own records of refused calls, with raw tool inputs (absolute paths): the browser gets each
    # refusal as a `permission_denied` event instead, shaped for users.
    permission_denials: list[dict[str, Any]] = Field(default_factory=list, exclude=True)


class ErrorEvent(AgentEvent):
    """The turn failed; `message` is written for the person using the platform."""

    type: Literal["error"] = "error"
    kind: ErrorKind
    message: str
    retryable: bool = True
    # What the agent or endpoint said, for logs and admins; endpoint internals stay on the server.
    detail: str = Field(default="", exclude=True)


class DoneEvent(AgentEvent):
    """Always the last event of a turn.

    The agent sends its status and SDK session id; the session's stream sends the saved reply's id and,
    when the turn failed, what the user reads about it.
    """

    type: Literal["done"] = "done"
    status: DoneStatus
    message_id: uuid.UUID | None = None
    error: str | None = None
    sdk_session_id: str | None = Field(default=None, exclude=True)


# The short names the agent runtime constructs events by.
Queued = QueuedEvent
Started = StartedEvent
TextDelta = TextDeltaEvent
TextReset = TextResetEvent
ToolStarted = ToolStartedEvent
ToolFinished = ToolFinishedEvent
PermissionDenied = PermissionDeniedEvent
Usage = UsageEvent
Error = ErrorEvent
Done = DoneEvent
