"""personal fields: the history's one allowed change, an erasure, covers a statement's speaker's name as well as a diplomat's name

The history stays append-only: every UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) is refused, except an UPDATE
that sets the personal fields of its kind of record to null in `before` and `after` and changes nothing else, on
an entry older than a `redact` entry about the same record. 0003 allowed that for a diplomat's `name`; this
revision allows it for every kind of record with personal fields.

The rule repeats domain.record.history.PERSONAL_FIELDS (Diplomat: name; Statement: speaker_name), written out as a
revision's DDL must be.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PERSONAL = {"Diplomat": "name", "Statement": "speaker_name"}
"""Each kind with a personal field, and that field, as this revision knows them (each kind has one)."""

APPEND_ONLY = "the history is append-only"
REFUSED = f"{APPEND_ONLY}: only a REDACT entry lets earlier entries about that person lose their name, and nothing else"


def _sqlite_redaction(personal: dict[str, str]) -> str:
    # The comparisons use IS (never NULL), and a NULL still counts as a refusal, so no row slips through.
    blanked = " OR ".join(
        f"(OLD.entity = '{kind}' AND json(NEW.before) IS json_set(json(OLD.before), '$.{field}', NULL)"
        f" AND json(NEW.after) IS json_set(json(OLD.after), '$.{field}', NULL))"
        for kind, field in personal.items()
    )
    return f"""CREATE TRIGGER history_no_update BEFORE UPDATE ON history
WHEN NOT coalesce(
    ({blanked})
    AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.author IS OLD.author AND NEW.action IS OLD.action
    AND NEW.entity IS OLD.entity AND NEW.record_id IS OLD.record_id AND NEW.version IS OLD.version
    AND NEW.reason IS OLD.reason
    AND EXISTS (
        SELECT 1 FROM history AS audit
        WHERE audit.action = 'redact' AND audit.entity = OLD.entity AND audit.record_id = OLD.record_id AND audit.id > OLD.id
    ),
    0)
BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END"""


def _postgres_redacted(personal: dict[str, str]) -> str:
    cases = " ".join(f"WHEN '{kind}' THEN jsonb_set(document::jsonb, '{{{field}}}', 'null')" for kind, field in personal.items())
    return f"""CREATE FUNCTION history_redacted_of(entity text, document json) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN jsonb_typeof(document::jsonb) = 'object' THEN CASE entity {cases} ELSE document::jsonb END ELSE document::jsonb END
$$"""


def _postgres_redaction(personal: dict[str, str]) -> str:
    kinds = ", ".join(f"'{kind}'" for kind in personal)
    return f"""CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.entity IN ({kinds})
            AND (NEW.id, NEW.at, NEW.author, NEW.action, NEW.entity, NEW.record_id, NEW.version, NEW.reason)
                IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.author, OLD.action, OLD.entity, OLD.record_id, OLD.version, OLD.reason)
            AND NEW.before::jsonb IS NOT DISTINCT FROM history_redacted_of(OLD.entity, OLD.before)
            AND NEW.after::jsonb IS NOT DISTINCT FROM history_redacted_of(OLD.entity, OLD.after)
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


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _sqlite():
        op.execute("DROP TRIGGER history_no_update")
        op.execute(_sqlite_redaction(PERSONAL))
    else:
        op.execute(_postgres_redacted(PERSONAL))
        op.execute(_postgres_redaction(PERSONAL))


def downgrade() -> None:
    # Speakers' names erased meanwhile stay erased; only a diplomat's name may be erased again.
    only_diplomats = {"Diplomat": PERSONAL["Diplomat"]}
    if _sqlite():
        op.execute("DROP TRIGGER history_no_update")
        op.execute(_sqlite_redaction(only_diplomats))
    else:
        op.execute(_postgres_redaction(only_diplomats))
        op.execute("DROP FUNCTION history_redacted_of(text, json)")
