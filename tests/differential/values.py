"""What the generated queries are made of: the roots and fields the compiled path plans, plausible argument values
(codes, IDs of records that exist, dates, searches), the literals and cursors that carry them, and a generated document."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    BooleanValueNode,
    FloatValueNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    StringValueNode,
    ValueNode,
)

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "schema.graphql").read_text()

COMPILED_ROOTS = (
    "states",
    "organisations",
    "missions",
    "diplomats",
    "expulsions",
    "waves",
    "statements",
    "sources",
    "node",
    "nodes",
    "state",
    "organisation",
)
UNCOMPILED_FIELDS = ("history", "members", "memberships", "membershipRecorded", "answerLags", "answeredLags", "sourceFigures")
"""Fields below the root the compiled path leaves to the executor: the history, memberships and whether they are
recorded, and a measure's derived lags and figures."""
UNCOMPILED_ROOTS = ("reciprocityThread", "bilateralBalance", "timeline", "rankings", "history", "viewer", "tokens", "search")
RECORD_TYPES = ("State", "Organisation", "Mission", "Diplomat", "Expulsion", "Wave", "Statement", "Source", "Citation")
PAGE_ARGUMENTS = ("first", "after", "last", "before")

COMPILED_DRAWS = 1_000
"""Selections drawn over the compiled root fields only, with no `history` below the root."""
MIXED_DRAWS = 150
"""Selections drawn over every root field, `history` included: the minority that must mostly fall back."""
DRESSINGS = 2
"""Documents made of each drawn selection, each with its own arguments, aliases, fragments and variables."""
GENERATED_RECORD_DOCUMENTS = 300
"""How many of the documents the 10,000-statement record is asked (every one goes to the demo record)."""
MINIMUM_DOCUMENTS = 2_000
CONCURRENCY = 4
MINIMUM_COMPILED_SHARE = 0.95

# Codes and records that exist in both records (the demo record and the generated one); a few that do not.
STATE_CODES = (
    "RU",
    "US",
    "PL",
    "GB",
    "DE",
    "FR",
    "UA",
    "BY",
    "CZ",
    "LT",
    "EE",
    "CN",
    "RUS",
    "USA",
    "POL",
    "ru",
    " pl ",
    "XK",
    "SUHH",
    "DDR",
)
ORGANISATION_CODES = ("UN", "EU", "NATO", "OSCE", "un", "Nato", "FVEY", "coe")
RECORDED_ORGANISATION_CODES = ("EU", "NATO", "Nato", "FVEY", "coe", "G7", "csto")
"""Organisations whose memberships are recorded: a group filter naming any other (or a state) is refused, and the
compiled path leaves that refusal to the executor, so the draws name these most of the time."""
UNKNOWN_CODES = ("ZZ", "WHO", "")
EXISTING = {
    "State": (1, 2, 180, 190, 235, 250, 259, 275),
    "Organisation": (282, 283, 284, 285),
    "Mission": (1, 2),
    "Expulsion": (1, 2, 3, 4),
    "Statement": (1, 2, 3, 4, 5, 6, 7),
    "Source": (1, 2, 3, 4),
    "Citation": (1, 2, 5, 16),
    "Diplomat": (1, 2),
    "Wave": (1, 2),
}
ABSENT_IDS = (0, 99_999)
NODE_KINDS = ("Expulsion", "Statement", "State") * 3 + ("Organisation", "Mission", "Source", "Citation") * 2
"""What `node(id:)` is mostly asked for: the demo record has no diplomats and no waves, and a node that is
not there is answered by the executor (null), which the compiled path leaves to it."""
ID_KINDS = (*NODE_KINDS, "Diplomat", "Wave")
SPEAKERS = ("Kaminski", "blinken", "spokesman", "Ministry", "State Department", "Zakharova", "")
SEARCHES = (
    "expel",
    "diplomats",
    "persona non grata",
    "unhelpful",
    "spies",
    "spy",
    "espionage",
    "Kaminski",
    "vcdr article",
    "retaliation",
    "the",
    "careful review",
    "",
    "x" * 501,
)
DATES = ("2022-03-23", "2022-03-01", "2022-03-31", "2022-04-30", "2021-01-01", "2014-06-15", "1960-01-01", "2025-12-31", "2022-03-24")
DATETIMES = ("2020-01-01T00:00:00Z", "2000-01-01T00:00:00+00:00", "2030-01-01T00:00:00Z")
AUTHORS = ("demarche", "cli", "nobody")


def global_id(type_name: str, number: object) -> str:
    return base64.b64encode(f"{type_name}:{number}".encode()).decode()


def cursor(order: str, descending: bool, key: list[Any]) -> str:
    payload = json.dumps({"o": order, "d": descending, "k": key}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode()


# Schemas to draw from ----------------------------------------------------------------------------------


class _Missing:
    """An argument left out of the document."""


MISSING = _Missing()


class _Cursor:
    """A cursor to choose once the listing's other arguments (its ordering) are known."""


CURSOR = _Cursor()


def literal(value: Any) -> ValueNode:
    """A GraphQL literal for a JSON value (enum values stay as the library drew them)."""
    if value is None:
        return NullValueNode()
    if isinstance(value, bool):
        return BooleanValueNode(value=value)
    if isinstance(value, int):
        return IntValueNode(value=str(value))
    if isinstance(value, float):
        return FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return StringValueNode(value=value)
    if isinstance(value, list):
        return ListValueNode(values=tuple(literal(item) for item in value))
    raise TypeError(value)


def out_of_order(one: object, other: object) -> bool:
    """Two bounds of one kind (texts or numbers), the first past the second."""
    if isinstance(one, str) and isinstance(other, str):
        return one > other
    return isinstance(one, int) and isinstance(other, type(one)) and isinstance(other, int) and one > other


@dataclass
class Generated:
    """One document as both paths are asked it."""

    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    roots: frozenset[str]
    compilable: bool
    """Selects compiled root fields only, no per-record `history`, and names no node of an uncompiled type."""
