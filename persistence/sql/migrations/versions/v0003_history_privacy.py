"""history privacy: a reason on history entries, and the one change the history allows, a person's redaction

The history stays append-only: every UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) is refused, except an
UPDATE that sets a diplomat's `name` to null in `before` and `after` and changes nothing else, on an entry
older than a `redact` entry about the same record. So a name can be erased only after the audited REDACT
entry is written, and an erasure can blank names, never rewrite or remove what happened.

The rule repeats domain.record.history.PERSONAL_FIELDS (Diplomat: name), written out as a revision's DDL must be.

Revision ID: 0003
Revises: 0002
Create Date: 2026-01-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APPEND_ONLY = "the history is append-only"
REFUSED = f"{APPEND_ONLY}: only a REDACT entry lets earlier entries about that person lose their name, and nothing else"

# SQLite: the comparisons use IS (never NULL), and a NULL still counts as a refusal, so no row slips through.
SQLITE_REDACTION = f"""CREATE TRIGGER history_no_update BEFORE UPDATE ON history
WHEN NOT coalesce(
    OLD.entity = 'Diplomat'
    AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.author IS OLD.author AND NEW.action IS OLD.action
    AND NEW.entity IS OLD.entity AND NEW.record_id IS OLD.record_id AND NEW.version IS OLD.version
    AND NEW.reason IS OLD.reason
    AND json(NEW.before) IS json_set(json(OLD.before), '$.name', NULL)
    AND json(NEW.after) IS json_set(json(OLD.after), '$.name', NULL)
    AND EXISTS (
        SELECT 1 FROM history AS audit
        WHERE audit.action = 'redact' AND audit.entity = OLD.entity AND audit.record_id = OLD.record_id AND audit.id > OLD.id
    ),
    0)
BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"""
SQLITE_APPEND_ONLY = f"CREATE TRIGGER history_no_update BEFORE UPDATE ON history BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"

POSTGRES_REDACTED = """CREATE FUNCTION history_redacted(document json) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN jsonb_typeof(document::jsonb) = 'object' THEN jsonb_set(document::jsonb, '{name}', 'null') ELSE document::jsonb END
$$"""
POSTGRES_REDACTION = f"""CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.entity = 'Diplomat'
            AND (NEW.id, NEW.at, NEW.author, NEW.action, NEW.entity, NEW.record_id, NEW.version, NEW.reason)
                IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.author, OLD.action, OLD.entity, OLD.record_id, OLD.version, OLD.reason)
            AND NEW.before::jsonb IS NOT DISTINCT FROM history_redacted(OLD.before)
            AND NEW.after::jsonb IS NOT DISTINCT FROM history_redacted(OLD.after)
            AND EXISTS (
                SELECT 1 FROM history AS audit
                WHERE audit.action = 'redact' AND audit.entity = OLD.entity AND audit.record_id = OLD.record_id AND audit.id > OLD.id
            )
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{REFUSED}';
    END IF;
    RAISE EXCEPTION '{APPEND_ONLY}';
END $$"""
POSTGRES_APPEND_ONLY = (
    f"CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    # ALTER TABLE fires no row trigger, so the guards need not be lifted to add the column.
    op.add_column("history", sa.Column("reason", sa.Text()))
    if _sqlite():
        op.execute("DROP TRIGGER history_no_update")
        op.execute(SQLITE_REDACTION)
    else:
        op.execute(POSTGRES_REDACTED)
        op.execute(POSTGRES_REDACTION)


def downgrade() -> None:
    # REDACT entries stay (nothing may remove them); the redacted names stay erased.
    if _sqlite():
        op.execute("DROP TRIGGER history_no_update")  # SQLite drops no column a trigger names
        op.drop_column("history", "reason")
        op.execute(SQLITE_APPEND_ONLY)
    else:
        op.execute(POSTGRES_APPEND_ONLY)
        op.execute("DROP FUNCTION history_redacted(json)")
        op.drop_column("history", "reason")
