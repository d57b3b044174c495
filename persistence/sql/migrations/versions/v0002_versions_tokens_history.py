"""versions, tokens and history: a version number on every record, bearer tokens, and the append-only history

Revision ID: 0002
Revises: 0001
Create Date: 2026-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

VERSIONED = ("actor", "mission", "diplomat", "wave", "expulsion", "statement", "source", "citation")
APPEND_ONLY = "the history is append-only"

SQLITE_GUARDS = (
    f"CREATE TRIGGER history_no_update BEFORE UPDATE ON history BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
    f"CREATE TRIGGER history_no_delete BEFORE DELETE ON history BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
)
POSTGRES_GUARDS = (
    f"CREATE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
    "CREATE TRIGGER history_no_change BEFORE UPDATE OR DELETE ON history FOR EACH ROW EXECUTE FUNCTION history_append_only()",
    "CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history FOR EACH STATEMENT EXECUTE FUNCTION history_append_only()",
)


# The link tables' key columns were nullable on SQLite (PostgreSQL makes key columns NOT NULL by itself).
# SQLite cannot change a column's nullability in place, so each link table is rebuilt; nothing refers
# to a link table, so dropping the old one touches no other row.
LINK_TABLES = {
    "expulsion_answer": (
        ("measure_id", "answered_id"),
        "CONSTRAINT ck_answer_not_self CHECK (measure_id <> answered_id), "
        "FOREIGN KEY(measure_id) REFERENCES expulsion (id) ON DELETE CASCADE, "
        "FOREIGN KEY(answered_id) REFERENCES expulsion (id) ON DELETE RESTRICT",
        "CREATE INDEX ix_expulsion_answer_answered ON expulsion_answer (answered_id)",
    ),
    "expulsion_diplomat": (
        ("measure_id", "diplomat_id"),
        "FOREIGN KEY(measure_id) REFERENCES expulsion (id) ON DELETE CASCADE, "
        "FOREIGN KEY(diplomat_id) REFERENCES diplomat (id) ON DELETE RESTRICT",
        "CREATE INDEX ix_expulsion_diplomat_diplomat ON expulsion_diplomat (diplomat_id)",
    ),
    "statement_measure": (
        ("statement_id", "measure_id"),
        "FOREIGN KEY(statement_id) REFERENCES statement (id) ON DELETE CASCADE, "
        "FOREIGN KEY(measure_id) REFERENCES expulsion (id) ON DELETE CASCADE",
        "CREATE INDEX ix_statement_measure_measure ON statement_measure (measure_id)",
    ),
}


def _rebuild_link_tables(*, not_null: bool) -> None:
    for table, (keys, constraints, index) in LINK_TABLES.items():
        columns = ", ".join(f"{key} INTEGER{' NOT NULL' if not_null else ''}" for key in keys)
        listed = ", ".join(keys)
        op.execute(f"CREATE TABLE {table}_rebuilt ({columns}, PRIMARY KEY ({listed}), {constraints})")
        op.execute(f"INSERT INTO {table}_rebuilt ({listed}) SELECT {listed} FROM {table}")
        op.execute(f"DROP TABLE {table}")
        op.execute(f"ALTER TABLE {table}_rebuilt RENAME TO {table}")
        op.execute(index)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    for table in VERSIONED:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1")))
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("role IN ('reader', 'editor', 'admin')", name="ck_api_token_role"),
    )
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("entity", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON()),
        sa.Column("after", sa.JSON()),
        sa.CheckConstraint("before IS NOT NULL OR after IS NOT NULL", name="ck_history_content"),
    )
    op.create_index("ix_history_at", "history", ["at"])
    op.create_index("ix_history_author", "history", ["author"])
    op.create_index("ix_history_record", "history", ["entity", "record_id", "id"])
    for statement in SQLITE_GUARDS if _sqlite() else POSTGRES_GUARDS:
        op.execute(statement)
    if _sqlite():
        _rebuild_link_tables(not_null=True)


def downgrade() -> None:
    if _sqlite():
        _rebuild_link_tables(not_null=False)
    op.drop_table("history")  # dropping a table fires none of its triggers, and takes them along
    if not _sqlite():
        op.execute("DROP FUNCTION history_append_only()")
    op.drop_table("api_token")
    # SQLite (3.35 and later) drops a column in place; a batch copy would drop and recreate each table,
    # and with foreign keys enforced that drop deletes or refuses the rows that refer to it.
    for table in reversed(VERSIONED):
        op.drop_column(table, "version")
