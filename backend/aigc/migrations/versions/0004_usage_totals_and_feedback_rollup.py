"""Everyone's daily usage without the user dimension, and rating counts in both daily rollups.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COUNTERS = (
    "sessions",
    "messages",
    "turns",
    "errors",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "feedback_up",
    "feedback_down",
)


def upgrade() -> None:
    with op.batch_alter_table("usage_daily") as batch:
        batch.add_column(sa.Column("feedback_up", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("feedback_down", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("usage_daily") as batch:
        batch.alter_column("feedback_up", server_default=None)
        batch.alter_column("feedback_down", server_default=None)
    op.create_table(
        "usage_daily_totals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("scenario_key", sa.String(length=36), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("feedback_up", sa.Integer(), nullable=False),
        sa.Column("feedback_down", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_usage_daily_totals_key", "usage_daily_totals", ["day", "scenario_key", "model"], unique=True
    )
    # Existing per-user rows already hold the history: sum them into the new table.
    sums = ", ".join(f"SUM({name})" for name in _COUNTERS)
    rows = (
        op.get_bind()
        .execute(
            sa.text(
                f"SELECT day, scenario_key, model, {sums} FROM usage_daily GROUP BY day, scenario_key, model"
            )
        )
        .all()
    )
    if rows:
        import uuid

        table = sa.table(
            "usage_daily_totals",
            sa.column("id", sa.Uuid()),
            sa.column("day", sa.Date()),
            sa.column("scenario_key"),
            sa.column("model"),
            *(sa.column(n) for n in _COUNTERS),
        )
        op.bulk_insert(
            table,
            [
                {
                    "id": uuid.uuid4(),
                    "day": r[0],
                    "scenario_key": r[1],
                    "model": r[2],
                    **dict(zip(_COUNTERS, r[3:], strict=True)),
                }
                for r in rows
            ],
        )


def downgrade() -> None:
    op.drop_index("uq_usage_daily_totals_key", table_name="usage_daily_totals")
    op.drop_table("usage_daily_totals")
    with op.batch_alter_table("usage_daily") as batch:
        batch.drop_column("feedback_down")
        batch.drop_column("feedback_up")
