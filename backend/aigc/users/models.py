"""The users table."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from aigc.core.models import UTCDateTime, new_id, updated_at_field, utcnow


class Role(StrEnum):
    admin = "admin"
    user = "user"


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    email: str | None = Field(default=None, max_length=255, unique=True)
    display_name: str | None = Field(default=None, max_length=100)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.user.value, max_length=16)
    is_active: bool = Field(default=True)
    # Bumped on password change (and forced sign-out) so that every older access token stops working.
    token_version: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value
