"""search the record: full-text indexes over measures, citations and sources, kept in sync as the statements' index is

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

SQLite: one external-content FTS5 table per searched table (porter stemming, as the statements'),
kept by triggers. PostgreSQL: a stored `search_vector` per searched table ('english' configuration)
with a GIN index. Legal basis and reason category are stored codes such as `vcdr_article_9`; both
tokenizers split them at the underscores, so "espionage" or "vcdr" finds them.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

INDEXED = {
    "expulsion": ("stated_reason", "legal_basis", "reason_category"),
    "citation": ("excerpt",),
    "source": ("title", "publisher"),
}
"""Each searched table and its searched columns, as they were at this revision."""


def _sqlite_index(table: str, columns: tuple[str, ...]) -> list[str]:
    listed = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    index = f"{table}_fts"
    forget = f"INSERT INTO {index}({index}, rowid, {listed}) VALUES ('delete', old.id, {old});"
    learn = f"INSERT INTO {index}(rowid, {listed}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({listed}, content='{table}', content_rowid='id', tokenize='porter unicode61')",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {learn} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {forget} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {listed} ON {table} BEGIN {forget} {learn} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


def _postgres_index(table: str, columns: tuple[str, ...]) -> list[str]:
    text = " || ' ' || ".join(f"coalesce({column}, '')" for column in columns)
    return [
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, {text})) STORED",
        f"CREATE INDEX ix_{table}_search_vector ON {table} USING GIN (search_vector)",
    ]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, columns in INDEXED.items():
        for statement in _sqlite_index(table, columns) if sqlite else _postgres_index(table, columns):
            op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in reversed(INDEXED):
        if sqlite:
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_fts_{trigger}")
            op.execute(f"DROP TABLE {table}_fts")
        else:
            op.execute(f"DROP INDEX ix_{table}_search_vector")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
