"""The history's safe horizon on PostgreSQL: the highest id at or below which every history entry is committed or never will be.

Writers run side by side, so history ids (drawn from a sequence as rows are inserted) commit out of order: a
reader that delivered entry 11 while the transaction holding entry 10 was still open would skip 10 when it
resumes "after 11". Readers therefore read the history only up to this horizon, in id order.

How it is known. Each writing transaction takes its transaction id first thing (`BEGIN_WRITER`), before it draws
any history id, and ends with one mark (`MARK`): `last_entry`, the newest history id it appended, and `done`,
one past the newest transaction id running in this database as that last statement runs (its own included). (A
snapshot's xmax will not do: it is one past the newest *completed* transaction, and a transaction begun earlier
may still run above it.) A reader's snapshot gives `oldest`, the oldest transaction still running in this database
(or, with none, the snapshot's xmax). A mark with `done <= oldest` was left once every writer running when it was
made had ended; every writer still running, or still to come, took its transaction id after that mark's
transaction had drawn all its ids, so it draws higher ones. The horizon is the highest `last_entry` of such marks:
every id at or below it belongs to a finished transaction. It only grows, and it reaches the newest entry as soon
as the writers that ran beside that entry's transaction have ended.

`oldest` leaves out the transactions of other databases of the cluster that are running when the reader looks
(pg_stat_activity), so that they never hold this history back; one that ended meanwhile counts, which is only
cautious. A long transaction in this database (a writer, an import) holds the horizon back until it ends.
"""

from __future__ import annotations

from sqlalchemy import text

BEGIN_WRITER = "SELECT pg_advisory_xact_lock_shared({lock}), pg_current_xact_id()"
"""A writer's first statement: its share of the writers' lock (an import takes it alone), and its transaction id,
assigned now, before it draws any history id."""

OLDEST_RUNNING = (
    "SELECT coalesce(min(x::text::bigint), pg_snapshot_xmax(pg_current_snapshot())::text::bigint) "
    "FROM pg_snapshot_xip(pg_current_snapshot()) AS x "
    "WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity AS a WHERE a.backend_xid IS NOT NULL "
    "AND a.datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND a.backend_xid::text::bigint = x::text::bigint % 4294967296)"
)
"""The oldest transaction still running in this database as the statement's snapshot saw it, or the next one to be assigned."""

HORIZON = (
    "(SELECT coalesce(max(last_entry), 0) FROM (SELECT last_entry FROM history_mark "
    f"WHERE done <= ({OLDEST_RUNNING}) ORDER BY last_entry DESC LIMIT 1) AS safe)"
)
"""The horizon, as a scalar subquery evaluated on the statement's own snapshot."""

MARK = text(
    "WITH mine AS (SELECT pg_current_xact_id()::text::bigint AS xid), "
    # Every transaction running in this database now, as a full transaction id (pg_stat_activity gives 32 bits:
    # running ones lie within 2^31 of this one's).
    "running AS (SELECT mine.xid + (a.backend_xid::text::bigint - mine.xid % 4294967296 + 6442450944) % 4294967296 - 2147483648 AS xid "
    "FROM pg_stat_activity AS a, mine WHERE a.backend_xid IS NOT NULL "
    "AND a.datid = (SELECT oid FROM pg_database WHERE datname = current_database())), "
    "mark AS (INSERT INTO history_mark (last_entry, done) "
    "SELECT CAST(:entry AS bigint), greatest((SELECT xid FROM mine), (SELECT max(xid) FROM running)) + 1 "
    "WHERE CAST(:appended AS boolean) ON CONFLICT DO NOTHING) "
    "SELECT pg_notify(CAST(:channel AS text), json_build_object('writer', CAST(:writer AS text), 'entry', CAST(:entry AS bigint))::text)"
)
"""A writer's last statement before COMMIT: its mark, when it appended to the history, and the change notification."""

READ_HORIZON = text(f"SELECT {HORIZON}")

RECORD_VERSION = text(f"SELECT h.at, (SELECT count(*) FROM history WHERE id > h.at) FROM (SELECT {HORIZON} AS at) AS h")
"""What the record version is derived from: the horizon, and how many entries are committed past it."""
