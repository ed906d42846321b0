"""Ratings of assistant answers: one per user per message."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, Text, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from aigc.core.models import UTCDateTime, new_id, updated_at_field, utcnow


class MessageFeedback(SQLModel, table=True):
    __tablename__ = "message_feedback"
    __table_args__ = (
        UniqueConstraint("user_id", "message_id", name="uq_feedback_user_message"),
        Index("ix_feedback_user_updated", "user_id", "updated_at"),
        Index("ix_feedback_scenario", "scenario_id"),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    message_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("messages.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    )
    session_id: uuid.UUID = Field(sa_column=Column(Uuid(), nullable=False))
    scenario_id: uuid.UUID | None = Field(default=None, sa_column=Column(Uuid(), nullable=True))
    rating: str = Field(max_length=8)  # up | down
    score: int | None = Field(default=None)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    comment: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()
