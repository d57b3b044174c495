"""One search across the record: which kinds of record and which of their fields it reads, and what a hit is."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from domain.read.pagination import Page, PageRequest


class SearchKind(Enum):
    """A kind of record the search reads."""

    EXPULSION = "expulsion"
    STATEMENT = "statement"
    CITATION = "citation"
    SOURCE = "source"


class MatchedField(Enum):
    """A searched field; its place in this list breaks ties between equally relevant hits."""

    STATED_REASON = "stated_reason"
    LEGAL_BASIS = "legal_basis"
    REASON_CATEGORY = "reason_category"
    QUOTE = "quote"
    TRANSLATION = "translation"
    EXCERPT = "excerpt"
    TITLE = "title"
    PUBLISHER = "publisher"

    @property
    def kind(self) -> SearchKind:
        return FIELD_KINDS[self]

    @property
    def number(self) -> int:
        """The field's place in the tie-break, as a cursor carries it."""
        return list(MatchedField).index(self)


FIELD_KINDS = {
    MatchedField.STATED_REASON: SearchKind.EXPULSION,
    MatchedField.LEGAL_BASIS: SearchKind.EXPULSION,
    MatchedField.REASON_CATEGORY: SearchKind.EXPULSION,
    MatchedField.QUOTE: SearchKind.STATEMENT,
    MatchedField.TRANSLATION: SearchKind.STATEMENT,
    MatchedField.EXCERPT: SearchKind.CITATION,
    MatchedField.TITLE: SearchKind.SOURCE,
    MatchedField.PUBLISHER: SearchKind.SOURCE,
}
"""Which kind of record each searched field belongs to: the one list of what the search reads."""

SNIPPET_OPENS, SNIPPET_CLOSES = "«", "»"
"""What marks each matched word in a snippet."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One field of one record that holds every word searched for.

    `rank` is lower for a more relevant hit; pages are ordered by (rank, field, id).
    """

    field: MatchedField
    id: int
    rank: float
    snippet: str

    @property
    def kind(self) -> SearchKind:
        return self.field.kind


class RecordSearch(Protocol):
    """Full-text search over every searched field of the record, most relevant first."""

    async def find(self, text: str, kinds: Collection[SearchKind] | None, page: PageRequest) -> Page[Hit]:
        """A page of hits, keyed by (rank, field number, id); `InvalidInput` for a text without a word."""
        ...

    async def count(self, text: str, kinds: Collection[SearchKind] | None) -> int:
        """How many hits there are across all pages."""
        ...
