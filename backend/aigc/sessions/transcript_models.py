"""Agent transcripts mirrored from the Claude Agent SDK (its SessionStore), keyed as the SDK keys them.

The SDK's key is (project_key, session_id, subpath): project_key is the CLI's munged working directory and
session_id the SDK's own session id (ChatSession.sdk_session_id), so there is no foreign key to `sessions`.
The main transcript has subpath "" (a NULL would not take part in the primary key or the uuid uniqueness).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Text
from sqlmodel import Field, SQLModel

# SQLite only numbers a primary key by itself when it is a plain INTEGER (the rowid).
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


class AgentTranscript(SQLModel, table=True):
    """One transcript key: the row an append locks, the listing's mtime and the SDK's summary sidecar."""

    __tablename__ = "agent_transcripts"
    __table_args__ = (Index("ix_agent_transcripts_session", "session_id"),)

    project_key: str = Field(primary_key=True, max_length=512)
    session_id: str = Field(primary_key=True, max_length=255)
    subpath: str = Field(primary_key=True, max_length=512)
    # Storage write time in epoch milliseconds (the SDK compares it with the summary's own mtime).
    mtime_ms: int = Field(sa_column=Column(BigInteger(), nullable=False))
    # The SDK's fold_session_summary state as JSON, kept verbatim; main transcripts only.
    summary: str | None = Field(default=None, sa_column=Column(Text(), nullable=True))


class AgentTranscriptEntry(SQLModel, table=True):
    """One transcript line; `id` gives the order (appends to one key are serialized by its row lock)."""

    __tablename__ = "agent_transcript_entries"
    __table_args__ = (
        Index("ix_agent_transcript_entries_key", "project_key", "session_id", "subpath", "id"),
        Index(
            "uq_agent_transcript_entries_uuid", "project_key", "session_id", "subpath", "uuid", unique=True
        ),
    )

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True, autoincrement=True))
    project_key: str = Field(sa_column=Column(String(512), nullable=False))
    session_id: str = Field(sa_column=Column(String(255), nullable=False))
    subpath: str = Field(sa_column=Column(String(512), nullable=False))
    uuid: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    entry: str = Field(sa_column=Column(Text(), nullable=False))
