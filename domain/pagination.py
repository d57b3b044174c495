"""Keyset pages: a page is asked for relative to a record's key, never by offset."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from domain.errors import InvalidInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Forward (`first` after a key) or backward (`last` before a key) through records ordered by id."""

    first: int | None = None
    after: int | None = None
    last: int | None = None
    before: int | None = None
    limit: int = MAX_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.first is not None and self.last is not None:
            raise InvalidInput("first", "ask for `first` or `last`, not both")
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


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Records in ascending key order, and whether more lie on either side."""

    items: list[T] = field(default_factory=list)
    has_next: bool = False
    has_previous: bool = False
