"""Keyset pages: a page is asked for relative to a record's sort key, never by offset."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Generic, TypeVar

from domain.errors import InvalidInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

Key = tuple[object, ...]
"""A record's position in an ordering: its sort values, then its id (the unique tie-breaker)."""


class Order(Enum):
    """What a listing is sorted by; every ordering ends with the record id, so it is total."""

    ID = "id"
    ANNOUNCED = "announced"
    HEADCOUNT = "headcount"
    SAID_ON = "said_on"
    RELEVANCE = "relevance"


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Forward (`first` after a key) or backward (`last` before a key) through one ordering.

    A key is the id alone for the id ordering, else the tuple `Page.keys` gave for a record.
    """

    first: int | None = None
    after: int | Key | None = None
    last: int | None = None
    before: int | Key | None = None
    limit: int = MAX_PAGE_SIZE
    order: Order = Order.ID
    descending: bool = False

    def __post_init__(self) -> None:
        if self.first is not None and self.last is not None:
            raise InvalidInput("first", "ask for `first` or `last`, not both")
        if self.last is not None and self.after is not None:
            raise InvalidInput("after", "`after` pages forward: use it with `first`, and `before` with `last`")
        if self.first is not None and self.before is not None:
            raise InvalidInput("before", "`before` pages backward: use it with `last`, and `after` with `first`")
        for name, size in (("first", self.first), ("last", self.last)):
            if size is not None and not 0 <= size <= self.limit:
                raise InvalidInput(name, f"{name} must lie between 0 and {self.limit}")

    @property
    def backward(self) -> bool:
        return self.last is not None

    @property
    def size(self) -> int:
        if self.last is not None:
            return self.last
        return self.first if self.first is not None else min(DEFAULT_PAGE_SIZE, self.limit)

    @staticmethod
    def as_key(value: int | Key | None) -> Key | None:
        if value is None or isinstance(value, tuple):
            return value
        return (value,)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Records in the requested order, their keys, and whether more lie on either side."""

    items: list[T] = field(default_factory=list)
    has_next: bool = False
    has_previous: bool = False
    keys: list[Key] = field(default_factory=list)
