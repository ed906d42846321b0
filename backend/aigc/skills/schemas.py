"""Typed shapes of skills at the API edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SkillFileIn(BaseModel):
    path: str = Field(min_length=1, max_length=255)
    content: str = Field(description="Text, or base64 when encoding is base64")
    encoding: Literal["utf-8", "base64"] = "utf-8"


class SkillFiles(BaseModel):
    """The complete file set of a skill (edit in place replaces all files)."""

    files: list[SkillFileIn] = Field(min_length=1, max_length=100, description="Must include SKILL.md")


class SkillCreate(SkillFiles):
    is_public: bool = False


class SkillUpdate(BaseModel):
    is_public: bool | None = None
    is_enabled: bool | None = None


class SkillPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    description: str
    is_public: bool
    is_enabled: bool
    created_by: uuid.UUID | None
    file_count: int
    total_size: int
    created_at: datetime
    updated_at: datetime


class SkillFilePublic(BaseModel):
    path: str
    size: int
    is_text: bool
    content: str | None = Field(description="The text for text files; null for binary files")


class SkillDetail(SkillPublic):
    files: list[SkillFilePublic] = Field(default_factory=list)


class SkillsPublic(BaseModel):
    items: list[SkillPublic]
    count: int
