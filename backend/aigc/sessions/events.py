"""The events of a turn as the browser receives them: the agent's own, and those only a session adds.

`TurnEvent` is published in the OpenAPI document (the stream routes' response schema), so the web app's
types are generated from these models and a change here shows up in its type check.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, RootModel, TypeAdapter

from aigc.agent.events import (
    AgentEvent,
    DoneEvent,
    ErrorEvent,
    PermissionDeniedEvent,
    QueuedEvent,
    StartedEvent,
    TextDeltaEvent,
    TextResetEvent,
    ToolFinishedEvent,
    ToolStartedEvent,
    UsageEvent,
)
from aigc.sessions.schemas import ArtifactPublic


class AcceptedEvent(AgentEvent):
    """The user's message is saved; the first event of every turn, naming both saved messages."""

    type: Literal["accepted"] = "accepted"
    session_id: uuid.UUID
    user_message_id: uuid.UUID
    assistant_message_id: uuid.UUID


class ArtifactEvent(ArtifactPublic):
    """A file the turn created or changed, recorded as an artifact (sent after the agent finished)."""

    model_config = ConfigDict(frozen=True, extra="forbid", json_schema_serialization_defaults_required=True)

    type: Literal["artifact"] = "artifact"


AnyTurnEvent = Annotated[
    AcceptedEvent
    | QueuedEvent
    | StartedEvent
    | TextDeltaEvent
    | TextResetEvent
    | ToolStartedEvent
    | ToolFinishedEvent
    | PermissionDeniedEvent
    | UsageEvent
    | ArtifactEvent
    | ErrorEvent
    | DoneEvent,
    Field(discriminator="type"),
]

TURN_EVENT: TypeAdapter[AnyTurnEvent] = TypeAdapter(AnyTurnEvent)


class TurnEvent(RootModel[AnyTurnEvent]):
    """One event of a turn's stream; its `type` is also the SSE event name. Last comes `done`."""
