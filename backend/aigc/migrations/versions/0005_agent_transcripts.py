"""Agent transcripts in the database: the Claude Agent SDK's SessionStore, so any worker can resume any session.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite only numbers a primary key by itself when it is a plain INTEGER (the rowid).
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # One row per transcript key: the main transcript (subpath "") and each subagent transcript.
    # It is the lock an append takes, the session listing with its mtime, and the summary sidecar.
    op.create_table(
        "agent_transcripts",
        sa.Column("project_key", sa.String(length=512), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("subpath", sa.String(length=512), nullable=False),
        sa.Column("mtime_ms", sa.BigInteger(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("project_key", "session_id", "subpath"),
    )
    op.create_index("ix_agent_transcripts_session", "agent_transcripts", ["session_id"])
    op.create_table(
        "agent_transcript_entries",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("project_key", sa.String(length=512), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("subpath", sa.String(length=512), nullable=False),
        sa.Column("uuid", sa.String(length=255), nullable=True),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_agent_transcript_entries_key",
        "agent_transcript_entries",
        ["project_key", "session_id", "subpath", "id"],
    )
    # Entries without a uuid (titles, tags) have NULL here and are never deduplicated.
    op.create_index(
        "uq_agent_transcript_entries_uuid",
        "agent_transcript_entries",
        ["project_key", "session_id", "subpath", "uuid"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_agent_transcript_entries_uuid", table_name="agent_transcript_entries")
    op.drop_index("ix_agent_transcript_entries_key", table_name="agent_transcript_entries")
    op.drop_table("agent_transcript_entries")
    op.drop_index("ix_agent_transcripts_session", table_name="agent_transcripts")
    op.drop_table("agent_transcripts")
