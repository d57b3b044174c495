"""memberships: which states belonged to which organisation, from when to when, with a source

A database whose actors are loaded already gets the curated spells of persistence/data/memberships.json
(those whose organisation and state it holds); an empty one gets them when setup loads the reference
actors.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import calendar
import json
from datetime import date
from importlib import resources

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _spans(value: str | None) -> tuple[str | None, str | None, str | None]:
    """A partial date's first day, last day and precision, as the tables keep it."""
    if value is None:
        return None, None, None
    parts = [int(part) for part in value.split("-")]
    year, month, day = parts[0], parts[1] if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None
    if day is not None:
        return value, value, "day"
    if month is not None:
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}", "month"
    return f"{year:04d}-01-01", f"{year:04d}-12-31", "year"


def upgrade() -> None:
    membership = op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("organisation", sa.String(12), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("joined_start", sa.Date(), nullable=False),
        sa.Column("joined_end", sa.Date(), nullable=False),
        sa.Column("joined_precision", sa.String(5), nullable=False),
        sa.Column("left_start", sa.Date(), nullable=True),
        sa.Column("left_end", sa.Date(), nullable=True),
        sa.Column("left_precision", sa.String(5), nullable=True),
        sa.Column("source_publisher", sa.String(200), nullable=False),
        sa.Column("source_title", sa.String(500), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=True),
        sa.CheckConstraint("organisation <> state", name="ck_membership_not_self"),
        sa.CheckConstraint("left_end IS NULL OR left_end >= joined_start", name="ck_membership_order"),
        sa.ForeignKeyConstraint(["organisation"], ["actor.code"], ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["state"], ["actor.code"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_membership_organisation_state", "membership", ["organisation", "state"])
    op.create_index(op.f("ix_membership_state"), "membership", ["state"])

    data = json.loads(resources.files("persistence").joinpath("data/memberships.json").read_text(encoding="utf-8"))
    bind = op.get_bind()
    codes = set(bind.execute(sa.text("SELECT code FROM actor")).scalars())
    rows = []
    for spell in data["memberships"]:
        # The file as it was at this revision held the EU's spells only; 0007 adds the other organisations'.
        if spell["organisation"] != "EU" or spell["organisation"] not in codes or spell["state"] not in codes:
            continue
        source = data["sources"][spell["source"]]
        joined, left = _spans(spell["joined"]), _spans(spell["left"])
        rows.append(
            {
                "organisation": spell["organisation"],
                "state": spell["state"],
                "joined_start": _day(joined[0]),
                "joined_end": _day(joined[1]),
                "joined_precision": joined[2],
                "left_start": _day(left[0]),
                "left_end": _day(left[1]),
                "left_precision": left[2],
                "source_publisher": source["publisher"],
                "source_title": source["title"],
                "source_url": source["url"],
            }
        )
    if rows:
        op.bulk_insert(membership, rows)


def _day(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def downgrade() -> None:
    op.drop_index(op.f("ix_membership_state"), table_name="membership")
    op.drop_index("ix_membership_organisation_state", table_name="membership")
    op.drop_table("membership")
