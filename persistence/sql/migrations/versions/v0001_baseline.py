"""baseline: the schema of the first release, search index and record version row included

Revision ID: 0001
Revises:
Create Date: 2026-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

HEADCOUNT_CHECK = (
    "(headcount_qualifier = 'unknown' AND headcount_value IS NULL) OR "
    "(headcount_qualifier <> 'unknown' AND headcount_value IS NOT NULL AND headcount_value >= 0)"
)

SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE statement_fts USING fts5("
    "quote, translation, content='statement', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER statement_fts_insert AFTER INSERT ON statement BEGIN "
    "INSERT INTO statement_fts(rowid, quote, translation) VALUES (new.id, new.quote, new.translation); END",
    "CREATE TRIGGER statement_fts_delete AFTER DELETE ON statement BEGIN "
    "INSERT INTO statement_fts(statement_fts, rowid, quote, translation) VALUES ('delete', old.id, old.quote, old.translation); END",
    "CREATE TRIGGER statement_fts_update AFTER UPDATE OF quote, translation ON statement BEGIN "
    "INSERT INTO statement_fts(statement_fts, rowid, quote, translation) VALUES ('delete', old.id, old.quote, old.translation); "
    "INSERT INTO statement_fts(rowid, quote, translation) VALUES (new.id, new.quote, new.translation); END",
)
POSTGRES_SEARCH = (
    "ALTER TABLE statement ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english'::regconfig, coalesce(quote, '') || ' ' || coalesce(translation, ''))) STORED",
    "CREATE INDEX ix_statement_search_vector ON statement USING GIN (search_vector)",
)


def _code(name: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(name, sa.String(12), sa.ForeignKey("actor.code", ondelete="RESTRICT"), nullable=nullable)


def _ref(name: str, target: str, *, on_delete: str = "RESTRICT", nullable: bool = True) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(f"{target}.id", ondelete=on_delete), nullable=nullable)


def _indexes(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "actor",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(12), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("alpha3", sa.String(3)),
        sa.Column("numeric", sa.String(3)),
        sa.Column("official_name", sa.String(200)),
        sa.Column("dissolved", sa.Date()),
    )
    _indexes("actor", "alpha3")
    op.create_table(
        "record_version",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("publisher", sa.String(200), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url", sa.String(2000)),
        sa.Column("published_start", sa.Date()),
        sa.Column("published_end", sa.Date()),
        sa.Column("published_precision", sa.String(5)),
    )
    op.create_table(
        "wave",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text()),
    )
    op.create_table(
        "mission",
        sa.Column("id", sa.Integer(), primary_key=True),
        _code("sending_state"),
        _code("host_state"),
        _code("accredited_to", nullable=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("city", sa.String(200)),
        sa.Column("name", sa.String(200)),
    )
    _indexes("mission", "host_state", "sending_state")
    op.create_table(
        "statement",
        sa.Column("id", sa.Integer(), primary_key=True),
        _code("on_behalf_of"),
        sa.Column("speaker_name", sa.String(200)),
        sa.Column("speaker_role", sa.String(200)),
        sa.Column("channel", sa.String(24)),
        sa.Column("relayed_by", sa.String(200)),
        sa.Column("stance", sa.String(12), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("quote_language", sa.String(35), nullable=False),
        sa.Column("translation", sa.Text()),
        sa.Column("translation_language", sa.String(35)),
        sa.Column("said_on_start", sa.Date()),
        sa.Column("said_on_end", sa.Date()),
        sa.Column("said_on_precision", sa.String(5)),
        sa.CheckConstraint("speaker_name IS NOT NULL OR speaker_role IS NOT NULL", name="ck_statement_speaker"),
    )
    _indexes("statement", "on_behalf_of", "said_on_start")
    op.create_table(
        "diplomat",
        sa.Column("id", sa.Integer(), primary_key=True),
        _code("sending_state"),
        _ref("mission_id", "mission"),
        sa.Column("name", sa.String(200)),
        sa.Column("rank", sa.String(24)),
        sa.Column("staff_category", sa.String(32), nullable=False),
    )
    _indexes("diplomat", "mission_id", "sending_state")
    op.create_table(
        "expulsion",
        sa.Column("id", sa.Integer(), primary_key=True),
        _code("actor"),
        _code("target"),
        _ref("target_mission_id", "mission"),
        _ref("wave_id", "wave"),
        sa.Column("measure_type", sa.String(24), nullable=False),
        sa.Column("legal_basis", sa.String(32), nullable=False),
        sa.Column("reason_category", sa.String(16), nullable=False),
        sa.Column("stated_reason", sa.Text()),
        sa.Column("headcount_qualifier", sa.String(12), nullable=False),
        sa.Column("headcount_value", sa.Integer()),
        sa.Column("announced_start", sa.Date(), nullable=False),
        sa.Column("announced_end", sa.Date(), nullable=False),
        sa.Column("announced_precision", sa.String(5), nullable=False),
        sa.Column("notified_start", sa.Date()),
        sa.Column("notified_end", sa.Date()),
        sa.Column("notified_precision", sa.String(5)),
        sa.Column("deadline_start", sa.Date()),
        sa.Column("deadline_end", sa.Date()),
        sa.Column("deadline_precision", sa.String(5)),
        sa.Column("departed_start", sa.Date()),
        sa.Column("departed_end", sa.Date()),
        sa.Column("departed_precision", sa.String(5)),
        sa.CheckConstraint("actor <> target", name="ck_expulsion_not_self"),
        sa.CheckConstraint(HEADCOUNT_CHECK, name="ck_expulsion_headcount"),
        sa.CheckConstraint("deadline_end IS NULL OR deadline_end >= announced_start", name="ck_expulsion_deadline"),
    )
    _indexes("expulsion", "actor", "announced_start", "measure_type", "target", "target_mission_id", "wave_id")
    op.create_index("ix_expulsion_pair", "expulsion", ["actor", "target"])
    op.create_table(
        "citation",
        sa.Column("id", sa.Integer(), primary_key=True),
        _ref("source_id", "source", nullable=False),
        _ref("measure_id", "expulsion", on_delete="CASCADE"),
        _ref("statement_id", "statement", on_delete="CASCADE"),
        sa.Column("excerpt", sa.Text()),
        sa.Column("headcount_qualifier", sa.String(12)),
        sa.Column("headcount_value", sa.Integer()),
        sa.CheckConstraint("(measure_id IS NULL) <> (statement_id IS NULL)", name="ck_citation_one_subject"),
        sa.CheckConstraint(f"headcount_qualifier IS NULL OR ({HEADCOUNT_CHECK})", name="ck_citation_headcount"),
    )
    _indexes("citation", "measure_id", "source_id", "statement_id")
    # The first release declared these key columns nullable; PostgreSQL makes them NOT NULL anyway.
    op.create_table(
        "expulsion_answer",
        _ref("measure_id", "expulsion", on_delete="CASCADE"),
        _ref("answered_id", "expulsion"),
        sa.CheckConstraint("measure_id <> answered_id", name="ck_answer_not_self"),
        sa.PrimaryKeyConstraint("measure_id", "answered_id"),
    )
    op.create_index("ix_expulsion_answer_answered", "expulsion_answer", ["answered_id"])
    op.create_table(
        "expulsion_diplomat",
        _ref("measure_id", "expulsion", on_delete="CASCADE"),
        _ref("diplomat_id", "diplomat"),
        sa.PrimaryKeyConstraint("measure_id", "diplomat_id"),
    )
    op.create_index("ix_expulsion_diplomat_diplomat", "expulsion_diplomat", ["diplomat_id"])
    op.create_table(
        "statement_measure",
        _ref("statement_id", "statement", on_delete="CASCADE"),
        _ref("measure_id", "expulsion", on_delete="CASCADE"),
        sa.PrimaryKeyConstraint("statement_id", "measure_id"),
    )
    op.create_index("ix_statement_measure_measure", "statement_measure", ["measure_id"])
    for statement in SQLITE_SEARCH if op.get_bind().dialect.name == "sqlite" else POSTGRES_SEARCH:
        op.execute(statement)
    op.execute("INSERT INTO record_version (id, version) VALUES (1, 0)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE statement_fts")  # its triggers go with the statement table
    for table in (
        "statement_measure",
        "expulsion_diplomat",
        "expulsion_answer",
        "citation",
        "expulsion",
        "diplomat",
        "statement",
        "mission",
        "wave",
        "source",
        "record_version",
        "actor",
    ):
        op.drop_table(table)
