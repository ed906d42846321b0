"""Scenarios, the skills they use, and each user's own settings for a scenario."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Text, Uuid, text
from sqlmodel import Field, SQLModel

from aigc.core.models import UTCDateTime, new_id, updated_at_field, utcnow


class Scenario(SQLModel, table=True):
    __tablename__ = "scenarios"
    # At most one default, enforced by the database itself; the service keeps it at exactly one.
    __table_args__ = (
        Index(
            "uq_scenarios_single_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default = 1"),
            postgresql_where=text("is_default"),
        ),
    )

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=100)
    description: str = Field(default="", sa_type=Text)
    category: str = Field(default="general", max_length=50)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    icon: str = Field(default="🤖", max_length=32)
    example_prompts: list[str] = Field(default_factory=list, sa_type=JSON)
    # Other languages' name, description and example prompts: {"en-US": {"name": ..., ...}}.
    translations: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    system_prompt: str = Field(default="", sa_type=Text)
    # An alias (sonnet, haiku, opus) or a full model id; empty means DEFAULT_MODEL.
    model: str | None = Field(default=None, max_length=100)
    # Models a user may pick for themself; empty means only `model`.
    allowed_models: list[str] = Field(default_factory=list, sa_type=JSON)
    tools: list[str] = Field(default_factory=list, sa_type=JSON)
    max_turns: int = Field(default=20)
    max_budget_usd: float | None = Field(default=None)
    # Overrides of the server's AGENT_SHELL_* limits (schemas.ScenarioShellLimits); {}: the server's own.
    shell_limits: dict[str, int] = Field(
        default_factory=dict, sa_type=JSON, sa_column_kwargs={"server_default": text("'{}'")}
    )
    is_default: bool = Field(default=False)
    is_public: bool = Field(default=False)
    is_enabled: bool = Field(default=True)
    is_builtin: bool = Field(default=False)
    created_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()


class ScenarioSkill(SQLModel, table=True):
    __tablename__ = "scenario_skills"

    scenario_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True)
    )
    skill_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True)
    )


class UserScenarioConfig(SQLModel, table=True):
    __tablename__ = "user_scenario_config"

    user_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    )
    scenario_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("scenarios.id", ondelete="CASCADE"), primary_key=True)
    )
    is_favorite: bool = Field(default=False)
    extra_instructions: str = Field(default="", sa_type=Text)
    model: str | None = Field(default=None, max_length=100)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()
