"""documents: automatic persisted queries shared by every server process, and trusted documents an operator registers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "persisted_query",
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("used", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("hash"),
        # A cache: lost in a crash, each client sends its document once more. It needs no write-ahead log.
        prefixes=["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else [],
    )
    op.create_index("ix_persisted_query_used", "persisted_query", ["used"])
    op.create_table(
        "trusted_document",
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("hash"),
    )
    op.create_index("ix_trusted_document_name", "trusted_document", ["name", "registered_at"])


def downgrade() -> None:
    op.drop_index("ix_trusted_document_name", table_name="trusted_document")
    op.drop_table("trusted_document")
    op.drop_index("ix_persisted_query_used", table_name="persisted_query")
    op.drop_table("persisted_query")
