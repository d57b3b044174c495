"""The read side's own model (CQRS): a read plan says what a question wants, and a reader answers it
with the answer's JSON text, straight from the stored record, without building write-side entities.

A plan names records, their stored values and their relations by the domain's words; which
response key each goes under is the caller's choice. It is a tree: a relation carries a plan of
its own. Filters are the domain's listing filters; pages are the domain's keyset page requests.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from domain.read.pagination import Order, PageRequest
from domain.record.kinds import ACTOR, MEMBERSHIP, TYPES


class Record(Enum):
    """Which type of record a plan reads; its value is the type's name (domain/record/kinds.py gives each type's kind).

    Every type of the registry but Membership: the read side does not read memberships.
    """

    STATE = "State"
    ORGANISATION = "Organisation"
    MISSION = "Mission"
    DIPLOMAT = "Diplomat"
    EXPULSION = "Expulsion"
    WAVE = "Wave"
    STATEMENT = "Statement"
    SOURCE = "Source"
    CITATION = "Citation"


assert {record.value for record in Record} == TYPES.keys() - {MEMBERSHIP.name}, "the read side's types are the registry's"
ACTOR_RECORDS = frozenset(record for record in Record if TYPES[record.value] is ACTOR)


@dataclass(frozen=True, slots=True)
class Constant:
    """A fixed text under `key`, such as the name of the record's type."""

    key: str
    text: str


@dataclass(frozen=True, slots=True)
class Withheld:
    """Null under `key`, in place of a personal field the caller may not read."""

    key: str


@dataclass(frozen=True, slots=True)
class GlobalId:
    """The record's global ID: `type_name` and its id, as one opaque text."""

    key: str
    type_name: str


@dataclass(frozen=True, slots=True)
class Value:
    """One stored value of the record (an attribute, by its domain name), or one part of a value object."""

    key: str
    attribute: str


@dataclass(frozen=True, slots=True)
class Composite:
    """A value object of the record (a partial date, a headcount): null when absent, else the parts asked for."""

    key: str
    attribute: str
    parts: tuple[Value | Constant, ...]


@dataclass(frozen=True, slots=True)
class Related:
    """A relation of the record (by its domain name), answered with a plan of its own: one record, or a list."""

    key: str
    relation: str
    shape: Shape


Field = Constant | Withheld | GlobalId | Value | Composite | Related


@dataclass(frozen=True, slots=True)
class Shape:
    """What to answer for each kind of record that may stand at this place (several behind an interface).

    A record of a kind the shape does not name is answered as null.
    """

    variants: tuple[tuple[Record, tuple[Field, ...]], ...]

    def records(self) -> frozenset[Record]:
        return frozenset(record for record, _ in self.variants)


@dataclass(frozen=True, slots=True)
class Cursor:
    """The opaque cursor of an item in its ordering."""

    key: str


@dataclass(frozen=True, slots=True)
class Item:
    """The item itself."""

    key: str
    shape: Shape


@dataclass(frozen=True, slots=True)
class Edges:
    """The page's items, each with what is asked of its edge."""

    key: str
    fields: tuple[Cursor | Item | Constant, ...]


@dataclass(frozen=True, slots=True)
class Items:
    """The page's items without their edges."""

    key: str
    shape: Shape


class Bound(Enum):
    """What can be told about a page's ends."""

    HAS_NEXT = "has_next"
    HAS_PREVIOUS = "has_previous"
    START_CURSOR = "start_cursor"
    END_CURSOR = "end_cursor"


@dataclass(frozen=True, slots=True)
class Ends:
    """The page's ends: whether more lies beyond them, and their cursors."""

    key: str
    fields: tuple[tuple[str, Bound] | Constant, ...]


@dataclass(frozen=True, slots=True)
class Total:
    """How many records match the filter across all pages."""

    key: str


PageField = Edges | Items | Ends | Total | Constant


@dataclass(frozen=True, slots=True)
class Listing:
    """One keyset page of `record`s matching `filter`.

    Actor codes in the filter are as the caller wrote them (normalised); the reader resolves
    them as the record does (alpha-2, alpha-3, ISO 3166-3), and answers None when one names no actor.
    """

    record: Record | frozenset[Record]
    filter: object
    page: PageRequest
    fields: tuple[PageField, ...]

    @property
    def order(self) -> Order:
        return self.page.order


@dataclass(frozen=True, slots=True)
class ById:
    """The record with this id, answered with `shape`, or null when no record of a kind the shape names has it."""

    id: int
    shape: Shape


@dataclass(frozen=True, slots=True)
class ByCode:
    """The actor an actor code names, answered with `shape` (null when none, or of a kind the shape does not name)."""

    code: str
    shape: Shape


@dataclass(frozen=True, slots=True)
class Several:
    """A list of lookups in the order asked; None stands for a lookup known to find nothing."""

    lookups: tuple[ById | None, ...]


ReadPlan = Listing | ById | ByCode | Several


class RecordReader(Protocol):
    """Answers read plans with JSON text, all from one snapshot of the record."""

    async def answer(self, plans: Sequence[ReadPlan]) -> list[str | None]:
        """Each plan's answer as JSON text, in order; None for a listing whose filter names an actor that does not exist."""
        ...


class Unanswerable(Exception):
    """A reader cannot answer this plan exactly as the reference read path would; ask that path instead."""


class NeverAnswerable(Unanswerable):
    """Unanswerable whatever the variables: the question asks for something the read side does not compile."""


def global_id(type_name: str, id: int) -> str:
    """A record's global ID: its type's name and its id, base64-encoded as Relay servers do."""
    return base64.b64encode(f"{type_name}:{id}".encode()).decode()
