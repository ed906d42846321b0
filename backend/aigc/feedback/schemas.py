"""Typed shapes of feedback at the API edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# The fixed tags the UI offers; anything else a user types is kept as a free tag.
FIXED_TAGS: dict[str, dict[str, str]] = {
    "too_long": {"en-US": "Too long", "zh-CN": "太长"},
    "too_short": {"en-US": "Too short", "zh-CN": "太短"},
    "wrong_format": {"en-US": "Wrong format", "zh-CN": "格式不对"},
    "inaccurate": {"en-US": "Inaccurate", "zh-CN": "不准确"},
    "off_topic": {"en-US": "Off topic", "zh-CN": "答非所问"},
    "helpful": {"en-US": "Helpful", "zh-CN": "有帮助"},
    "good_style": {"en-US": "Good style", "zh-CN": "风格很好"},
}
MAX_TAGS = 10
MAX_TAG_LENGTH = 30


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(t.strip() for t in tags if t and t.strip()))
    if len(cleaned) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    if any(len(t) > MAX_TAG_LENGTH for t in cleaned):
        raise ValueError(f"each tag must be at most {MAX_TAG_LENGTH} characters")
    return cleaned


class FeedbackIn(BaseModel):
    rating: Literal["up", "down"]
    score: int | None = Field(default=None, ge=1, le=5)
    tags: Annotated[list[str], AfterValidator(_clean_tags)] = Field(default_factory=list)
    comment: str = Field(default="", max_length=2000)


class FeedbackPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    message_id: uuid.UUID
    session_id: uuid.UUID
    scenario_id: uuid.UUID | None
    rating: Literal["up", "down"]
    score: int | None
    tags: list[str]
    comment: str
    created_at: datetime
    updated_at: datetime


class FeedbackTag(BaseModel):
    key: str
    labels: dict[str, str]
