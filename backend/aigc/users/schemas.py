"""Typed shapes of users at the API edge."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aigc.users.models import Role

USERNAME_PATTERN = r"^[A-Za-z0-9_.-]+$"
# Deliberately loose: the address is for people to read, not a delivery guarantee.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    username: str
    email: str | None
    display_name: str | None
    role: Role
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None = None


class UsersPublic(BaseModel):
    items: list[UserPublic]
    count: int


class UserRegister(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
    email: str | None = Field(default=None, max_length=255, pattern=EMAIL_PATTERN)
    display_name: str | None = Field(default=None, max_length=100)

    _blank_email = field_validator("email", "display_name", mode="before")(_blank_to_none)


class UserCreate(UserRegister):
    role: Role = Role.user


class UserUpdate(BaseModel):
    role: Role | None = None
    is_active: bool | None = None
    display_name: str | None = Field(default=None, max_length=100)
