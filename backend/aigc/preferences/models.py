"""Learned preferences per user: the cached profile, a typed JSON column."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, ForeignKey, Text, Uuid
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from aigc.core.errors import AppError
from aigc.core.models import UTCDateTime, updated_at_field


class ProfileItem(BaseModel):
    """One instruction of a stored profile, learned or the user's own."""

    # Only this code writes profiles: a key it does not know means the row was written by something else.
    model_config = ConfigDict(extra="forbid")

    id: str = PydanticField(min_length=1)
    instruction: str
    instruction_zh: str = ""
    scope: str = "all"  # "all", or the id of the one scenario it applies to
    confidence: float | None = None
    evidence: list[uuid.UUID] = PydanticField(default_factory=list)  # the feedback it was learned from
    source: Literal["learned", "edited", "user"] = "learned"
    enabled: bool = True
    # Removed by the user: kept (disabled) so that the next learning run does not bring it back.
    dismissed: bool = False


PROFILE = TypeAdapter(list[ProfileItem])


class MalformedProfileError(AppError):
    """A stored profile that does not read as a list of profile items: a bug or a foreign write."""

    status_code = 500
    code = "malformed_preference_profile"


class ProfileColumn(TypeDecorator[list[ProfileItem]]):
    """user_preferences_cache.profile: JSON in the database, a list of ProfileItem in Python."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: list[ProfileItem] | None, dialect: Any) -> Any:
        return None if value is None else PROFILE.dump_python(value, mode="json")

    def process_result_value(self, value: Any, dialect: Any) -> list[ProfileItem] | None:
        if value is None:
            return None
        try:
            return PROFILE.validate_python(value)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise MalformedProfileError(
                f"A stored preference profile is malformed ({where}: {first['msg']}); "
                "resetting the user's preferences (DELETE /api/v1/me/preferences) clears it"
            ) from None


class UserPreferencesCache(SQLModel, table=True):
    __tablename__ = "user_preferences_cache"

    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    profile: list[ProfileItem] = Field(default_factory=list, sa_type=ProfileColumn)
    summary: str = Field(default="", sa_type=Text)
    data_hash: str = Field(default="", max_length=64)
    feedback_count: int = Field(default=0)
    version: int = Field(default=0)
    learned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    model_used: str = Field(default="", max_length=100)
    paused: bool = Field(default=False)
    updated_at: datetime = updated_at_field()
