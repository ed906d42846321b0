"""Typed shapes of sessions, messages and artifacts at the API edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aigc.feedback.schemas import FeedbackPublic

MAX_MESSAGE_CHARS = 20_000

PreviewKind = Literal["text", "markdown", "html", "csv", "json", "image", "binary"]


class SessionCreate(BaseModel):
    scenario_id: uuid.UUID | Literal["auto"] | None = Field(
        default=None,
        description="A scenario id, `auto` to let the matcher choose from `first_message`, or none for the default",
    )
    title: str | None = Field(default=None, max_length=200)
    first_message: str | None = Field(
        default=None, max_length=MAX_MESSAGE_CHARS, description="Used by `auto` to pick the scenario"
    )


class SessionUpdate(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class SessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    scenario_id: uuid.UUID | None
    scenario_name: str
    title: str
    message_count: int
    total_cost_usd: float
    is_running: bool = False
    archived_at: datetime | None
    created_at: datetime
    updated_at: datetime


class SessionsPublic(BaseModel):
    items: list[SessionPublic]
    count: int


class ToolCallPublic(BaseModel):
    tool_use_id: str
    name: str
    input_summary: str = ""
    result_summary: str | None = None
    is_error: bool = False
    denied: bool = False
    denial_reason: str | None = None


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    role: Literal["user", "assistant"]
    content: str
    status: Literal["running", "ok", "error", "stopped"]
    error: str | None
    model: str | None
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_creation_tokens: int
    cost_usd: float
    duration_ms: int
    num_turns: int
    tool_calls: list[dict[str, Any]]
    permission_denials: list[dict[str, Any]]
    preference_version: int | None
    created_at: datetime
    completed_at: datetime | None
    feedback: FeedbackPublic | None = None


class ArtifactPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    session_id: uuid.UUID
    message_id: uuid.UUID | None
    path: str
    name: str
    size: int
    mime_type: str
    sha256: str
    source: Literal["agent", "user"] = Field(
        default="agent", description="`agent`: a turn made it; `user`: uploaded (under `uploads/`)"
    )
    created_at: datetime
    updated_at: datetime


class ArtifactsPublic(BaseModel):
    items: list[ArtifactPublic]
    count: int


class SessionDetail(SessionPublic):
    messages: list[MessagePublic] = Field(default_factory=list)
    artifacts: list[ArtifactPublic] = Field(default_factory=list, description="What the agent made")
    uploads: list[ArtifactPublic] = Field(
        default_factory=list,
        description="What the user uploaded; `message_id` is the message that sent it, none while unsent",
    )


class MessageCreate(BaseModel):
    content: str = Field(default="", max_length=MAX_MESSAGE_CHARS)
    attachment_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=100,
        description="Files uploaded to this session (`POST /sessions/{id}/files`) that come with this message",
    )

    @model_validator(mode="after")
    def _not_empty(self) -> MessageCreate:
        if not self.content and not self.attachment_ids:
            raise ValueError("Write a message or attach a file")
        return self


class ArtifactPreview(BaseModel):
    artifact: ArtifactPublic
    kind: PreviewKind
    text: str | None = Field(default=None, description="Text content (truncated) for text-like files")
    truncated: bool = False
