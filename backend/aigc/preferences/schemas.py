"""Typed shapes of learned preferences at the API edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class EvidencePublic(BaseModel):
    """A rating an item was learned from."""

    feedback_id: uuid.UUID
    message_id: uuid.UUID
    session_id: uuid.UUID
    rating: Literal["up", "down"]
    tags: list[str]
    comment: str
    created_at: datetime


class PreferenceItemPublic(BaseModel):
    id: str
    instruction: str
    instruction_zh: str = ""
    scope: str = Field(description='"all", or the id of the one scenario it applies to')
    scenario_name: str | None = None
    confidence: float | None = None
    source: Literal["learned", "edited", "user"]
    enabled: bool = True
    evidence: list[EvidencePublic] = Field(default_factory=list)


class PreferencesPublic(BaseModel):
    user_id: uuid.UUID
    items: list[PreferenceItemPublic]
    summary: str
    version: int
    feedback_count: int
    learned_at: datetime | None
    model_used: str
    paused: bool


class PreferenceItemIn(BaseModel):
    id: str | None = Field(default=None, max_length=64, description="Omit for a new item of your own")
    instruction: str = Field(min_length=3, max_length=300)
    scope: str = Field(default="all", max_length=36)
    enabled: bool = True


class PreferencesUpdate(BaseModel):
    items: list[PreferenceItemIn] | None = Field(
        default=None, max_length=30, description="The full list; items left out are removed"
    )
    paused: bool | None = None
