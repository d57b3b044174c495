"""rate budget: points each caller spent per window of the rate limit, shared by every server process

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_budget",
        sa.Column("caller", sa.String(80), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("spent", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("caller", "window"),
        # A count lost in a crash forgives one window at most; it needs no write-ahead log.
        prefixes=["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else [],
    )


def downgrade() -> None:
    op.drop_table("rate_budget")
