"""organisations beyond the EU: what a spell of membership rests on, whether its source was checked, and the curated spells

Each spell gains `basis` ('treaty', or 'no_treaty' for an arrangement without a treaty, such as the Five
Eyes' or the G7's) and `source_checked`, the day someone checked its dates against its source (null:
unverified). A database whose actors are loaded already gets the organisations this revision adds to the
catalogue (COE, CSTO, G7, G8, FVEY) and the curated spells of persistence/data/memberships.json beyond
the EU's (those whose organisation and state it holds, and that it does not hold already); an empty one
gets them when setup loads the reference actors. Spells stored before are left as they were: unverified.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

import calendar
import json
from datetime import date
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ORGANISATIONS = {
    "COE": "Council of Europe",
    "CSTO": "Collective Security Treaty Organization",
    "G7": "Group of Seven",
    "G8": "Group of Eight",
    "FVEY": "Five Eyes",
}
"""The organisations this revision adds to a loaded record, by code, as the catalogue names them."""


def _spans(value: str | None) -> tuple[date | None, date | None, str | None]:
    """A partial date's first day, last day and precision, as the tables keep it."""
    if value is None:
        return None, None, None
    parts = [int(part) for part in value.split("-")]
    year = parts[0]
    if len(parts) == 3:
        day = date(year, parts[1], parts[2])
        return day, day, "day"
    if len(parts) == 2:
        month = parts[1]
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), "month"
    return date(year, 1, 1), date(year, 12, 31), "year"


def upgrade() -> None:
    op.add_column("membership", sa.Column("source_checked", sa.Date(), nullable=True))
    op.add_column("membership", sa.Column("basis", sa.String(9), server_default="treaty", nullable=False))

    bind = op.get_bind()
    actor = sa.table(
        "actor", sa.column("code", sa.String), sa.column("kind", sa.String), sa.column("name", sa.String), sa.column("version", sa.Integer)
    )
    codes = set(bind.execute(sa.text("SELECT code FROM actor")).scalars())
    if not codes:
        return  # an empty record: setup loads the catalogue's actors and every curated spell
    missing = [
        {"code": code, "kind": "organisation", "name": name, "version": 1} for code, name in ORGANISATIONS.items() if code not in codes
    ]
    if missing:
        op.bulk_insert(actor, missing)
        codes |= {row["code"] for row in missing}

    days = ("joined_start", "joined_end", "left_start", "left_end", "source_checked")
    texts = ("organisation", "state", "joined_precision", "left_precision", "source_publisher", "source_title", "source_url", "basis")
    membership = sa.table("membership", *(sa.column(name, sa.Date) for name in days), *(sa.column(name, sa.String) for name in texts))
    c = membership.c
    stored = {(row.organisation, row.state, row.joined_start) for row in bind.execute(sa.select(c.organisation, c.state, c.joined_start))}
    data = json.loads(resources.files("persistence").joinpath("data/memberships.json").read_text(encoding="utf-8"))
    rows = []
    for spell in data["memberships"]:
        if spell["organisation"] == "EU" or spell["organisation"] not in codes or spell["state"] not in codes:
            continue
        joined, left = _spans(spell["joined"]), _spans(spell["left"])
        source = data["sources"][spell["source"]]
        if (spell["organisation"], spell["state"], joined[0]) in stored:
            # Stored already (this revision ran before, and was undone): its basis again, if still as curated.
            bind.execute(
                membership.update()
                .where(
                    c.organisation == spell["organisation"],
                    c.state == spell["state"],
                    c.joined_start == joined[0],
                    c.source_title == source["title"],
                )
                .values(basis=spell.get("basis", "treaty"))
            )
            continue
        checked = source.get("checked")
        rows.append(
            {
                "organisation": spell["organisation"],
                "state": spell["state"],
                "joined_start": joined[0],
                "joined_end": joined[1],
                "joined_precision": joined[2],
                "left_start": left[0],
                "left_end": left[1],
                "left_precision": left[2],
                "source_publisher": source["publisher"],
                "source_title": source["title"],
                "source_url": source["url"],
                "source_checked": None if checked is None else date.fromisoformat(checked),
                "basis": spell.get("basis", "treaty"),
            }
        )
    if rows:
        op.bulk_insert(membership, rows)


def downgrade() -> None:
    # The spells and organisations added stay: they are valid records of the schema before this revision.
    with op.batch_alter_table("membership") as batch:
        batch.drop_column("basis")
        batch.drop_column("source_checked")
