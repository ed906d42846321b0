"""Chat sessions, their messages (one row per user text and per assistant turn) and artifacts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Text, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from aigc.core.models import UTCDateTime, new_id, updated_at_field, utcnow


class ArtifactSource(StrEnum):
    """Who put a session file there: the agent (a turn's work) or the user (an upload, under `uploads/`)."""

    agent = "agent"
    user = "user"


class TurnStatus(StrEnum):
    running = "running"
    ok = "ok"
    error = "error"
    stopped = "stopped"


class ChatSession(SQLModel, table=True):
    __tablename__ = "sessions"
    __table_args__ = (Index("ix_sessions_user_updated", "user_id", "updated_at"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    scenario_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid(), ForeignKey("scenarios.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    # Kept so a session stays readable after its scenario is deleted.
    scenario_name: str = Field(default="", max_length=100)
    title: str = Field(default="", max_length=200)
    # The SDK's own session id: a released agent client resumes from it on the next turn.
    sdk_session_id: str | None = Field(default=None, max_length=100)
    message_count: int = Field(default=0)
    total_cost_usd: float = Field(default=0.0)
    archived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_session_created", "session_id", "created_at"),
        Index("ix_messages_user_created", "user_id", "created_at"),
        Index("ix_messages_created", "created_at"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    session_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False)
    )
    # Denormalised owner and scenario: ownership checks and stats need no join.
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    scenario_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid(), nullable=True))
    role: str = Field(max_length=16)  # user | assistant
    content: str = Field(default="", sa_type=Text)
    status: str = Field(default=TurnStatus.ok.value, max_length=16)
    error: str | None = Field(default=None, sa_type=Text)
    model: str | None = Field(default=None, max_length=100)
    input_tokens: int = Field(default=0)
    output_tokens: int = Field(default=0)
    cache_read_tokens: int = Field(default=0)
    cache_creation_tokens: int = Field(default=0)
    cost_usd: float = Field(default=0.0)
    duration_ms: int = Field(default=0)
    num_turns: int = Field(default=0)
    tool_calls: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    permission_denials: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    # Which learned-preference profile version shaped this turn (none when nothing was learned).
    preference_version: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Artifact(SQLModel, table=True):
    __tablename__ = "artifacts"
    __table_args__ = (
        UniqueConstraint("session_id", "path", name="uq_artifacts_session_path"),
        # The per-user upload quota sums the sizes of one user's uploads.
        Index("ix_artifacts_user_source", "user_id", "source"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    session_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    message_id: uuid.UUID | None = Field(
        default=None, sa_column=Column(Uuid(), ForeignKey("messages.id", ondelete="SET NULL"), nullable=True)
    )
    # Path relative to the session directory, as the agent wrote it (uploads: `uploads/<name>`).
    path: str = Field(max_length=512)
    source: str = Field(default=ArtifactSource.agent.value, max_length=16)
    name: str = Field(max_length=255)
    size: int = Field(default=0)
    mime_type: str = Field(default="application/octet-stream", max_length=127)
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=1024)
    # pending until the background upload finished; downloads fall back to the session directory meanwhile.
    upload_status: str = Field(default="pending", max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()
