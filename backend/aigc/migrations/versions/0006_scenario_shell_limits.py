"""Scenarios get their own shell limits (overrides of the server's AGENT_SHELL_* values).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing scenarios keep the server's limits ({}). The default stays: rows written without the column
    # (seeds) get it too. A plain ADD COLUMN on both databases: no table copy, the indexes stay as they are.
    op.add_column(
        "scenarios", sa.Column("shell_limits", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
    )


def downgrade() -> None:
    # SQLite has DROP COLUMN since 3.35; a batch copy would rebuild the partial index of the single default.
    op.drop_column("scenarios", "shell_limits")
