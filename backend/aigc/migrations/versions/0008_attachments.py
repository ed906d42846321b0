"""Users' uploads are session files too: artifacts get a `source` (agent or user) and a quota index.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Every existing row was made by an agent. The server default stays so rows written without the column
    # (older code during a rolling upgrade) are the agent's too. A plain ADD COLUMN on both databases.
    op.add_column(
        "artifacts",
        sa.Column("source", sa.String(length=16), nullable=False, server_default=sa.text("'agent'")),
    )
    op.create_index("ix_artifacts_user_source", "artifacts", ["user_id", "source"])


def downgrade() -> None:
    op.drop_index("ix_artifacts_user_source", table_name="artifacts")
    # SQLite has DROP COLUMN since 3.35 (uploads become plain artifacts of the session: nothing is lost).
    op.drop_column("artifacts", "source")
