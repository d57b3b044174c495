"""history marks: how far the history may be read while writers run side by side

Writers no longer take one lock for their whole transaction, so history ids (from a sequence) may commit out
of order. Each writing transaction that appends to the history leaves one mark as its last statement: the
newest history id it appended (`last_entry`) and one past the newest transaction id running in the
database as that statement ran (`done`). Readers deliver the history only up to a horizon derived from the marks (see
persistence/write/horizon.py): every id at or below it is committed or will never be.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "history_mark",
        sa.Column("last_entry", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("done", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("last_entry"),
    )
    # Every entry written before this revision is committed: one mark covers them all.
    op.execute("INSERT INTO history_mark (last_entry, done) SELECT coalesce(max(id), 0), 0 FROM history")


def downgrade() -> None:
    op.drop_table("history_mark")
