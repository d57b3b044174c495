"""search the record: full-text indexes over measures, citations and sources, kept in sync as the statements' index is

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

SQLite: one external-content FTS5 table per searched table (porter stemming, as the statements'),
kept by triggers. PostgreSQL: a stored `search_vector` per searched table ('english' configuration)
with a GIN index, each field under its own weight (A, B, C in column order) so that a search can tell
the field that matched with `ts_filter` instead of parsing the text again; the statements' vector,
made by 0001 without weights, is made again so (weights change no match). Legal basis and reason
category are stored codes such as `vcdr_article_9`; both tokenizers split them at the underscores,
so "espionage" or "vcdr" finds them.
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


STATEMENT_UNWEIGHTED = "to_tsvector('english'::regconfig, coalesce(quote, '') || ' ' || coalesce(translation, ''))"
"""The statements' vector as revision 0001 made it."""


def _weighted(columns: tuple[str, ...]) -> str:
    weighted = zip(columns, "ABCD", strict=False)
    return " || ".join(f"setweight(to_tsvector('english'::regconfig, coalesce({column}, '')), '{weight}')" for column, weight in weighted)


def _postgres_index(table: str, vector: str) -> list[str]:
    return [
        f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED",
        f"CREATE INDEX ix_{table}_search_vector ON {table} USING GIN (search_vector)",
    ]


def _postgres_unindex(table: str) -> list[str]:
    return [f"DROP INDEX ix_{table}_search_vector", f"ALTER TABLE {table} DROP COLUMN search_vector"]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    statements = [] if sqlite else [*_postgres_unindex("statement"), *_postgres_index("statement", _weighted(("quote", "translation")))]
    for table, columns in INDEXED.items():
        statements += _sqlite_index(table, columns) if sqlite else _postgres_index(table, _weighted(columns))
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in reversed(INDEXED):
        if sqlite:
            for trigger in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER {table}_fts_{trigger}")
            op.execute(f"DROP TABLE {table}_fts")
        else:
            for statement in _postgres_unindex(table):
                op.execute(statement)
    if not sqlite:
        for statement in [*_postgres_unindex("statement"), *_postgres_index("statement", STATEMENT_UNWEIGHTED)]:
            op.execute(statement)
