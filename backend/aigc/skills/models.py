"""Skills (SKILL.md folders) and their files, kept in the database so a backup holds them whole."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, LargeBinary, Text, UniqueConstraint, Uuid
from sqlmodel import Field, SQLModel

from aigc.core.models import UTCDateTime, new_id, updated_at_field, utcnow


class Skill(SQLModel, table=True):
    __tablename__ = "skills"

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    # The SKILL.md `name`: also the folder name under .claude/skills/, so unique platform-wide.
    name: str = Field(max_length=64, unique=True, index=True)
    description: str = Field(sa_type=Text)
    is_public: bool = Field(default=False)
    is_enabled: bool = Field(default=True)
    created_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(Uuid(), ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    total_size: int = Field(default=0)
    file_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = updated_at_field()


class SkillFile(SQLModel, table=True):
    __tablename__ = "skill_files"
    __table_args__ = (UniqueConstraint("skill_id", "path", name="uq_skill_files_skill_path"),)

    id: uuid.UUID = Field(default_factory=new_id, primary_key=True)
    skill_id: uuid.UUID = Field(
        sa_column=Column(Uuid(), ForeignKey("skills.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    path: str = Field(max_length=255)
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = Field(default=0)
