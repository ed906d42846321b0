"""Typed shapes of the sign-in flow."""

from __future__ import annotations

from pydantic import BaseModel, Field

from aigc.users.schemas import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class RefreshRequest(BaseModel):
    refresh_token: str | None = Field(
        default=None, max_length=512, description="Falls back to the refresh cookie"
    )


class ChangePasswordRequest(BaseModel):
    current_password: str = Field(min_length=1, max_length=PASSWORD_MAX_LENGTH)
    new_password: str = Field(min_length=PASSWORD_MIN_LENGTH, max_length=PASSWORD_MAX_LENGTH)
