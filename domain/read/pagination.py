"""Keyset pages: a page is asked for relative to a record's sort key, never by offset."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Generic, TypeVar

from domain.errors import Code, InvalidInput

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
            raise InvalidInput("first", "ask for `first` or `last`, not both", Code.INVALID_PAGE)
        if self.last is not None and self.after is not None:
            raise InvalidInput("after", "`after` pages forward: use it with `first`, and `before` with `last`", Code.INVALID_PAGE)
        if self.first is not None and self.before is not None:
            raise InvalidInput("before", "`before` pages backward: use it with `last`, and `after` with `first`", Code.INVALID_PAGE)
        for name, size in (("first", self.first), ("last", self.last)):
            if size is not None and not 0 <= size <= self.limit:
                raise InvalidInput(name, f"{name} must lie between 0 and {self.limit}", Code.INVALID_PAGE)

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


def cursor_ends(order: Order, descending: bool) -> tuple[str, str]:
    """The text a cursor's payload has before its key's values and after them.

    A cursor is the URL-safe base64 of `{"o":<order>,"d":<descending>,"k":[<key values>]}`: it names
    the ordering it belongs to, so it cannot be used with another.
    """
    head = json.dumps({"o": order.value, "d": descending, "k": []}, separators=(",", ":"))
    return head[:-2], "]}"


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def encode_cursor(key: Key, order: Order, descending: bool) -> str:
    """An opaque cursor naming the ordering it belongs to and the record's key in it."""
    head, tail = cursor_ends(order, descending)
    payload = head + ",".join(json.dumps(_plain(value)) for value in key) + tail
    return base64.urlsafe_b64encode(payload.encode()).decode()


def decode_cursor(field: str, cursor: str | None, order: Order, descending: bool) -> Key | None:
    """The key a cursor carries, or `InvalidInput` naming `field` when it is not one issued for this ordering."""
    if cursor is None:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        key = payload["k"]
        valid = isinstance(key, list) and key and all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in key)
        if not valid or not isinstance(key[-1], int):
            raise ValueError("no key")
    except (binascii.Error, UnicodeError, ValueError, TypeError, KeyError):
        raise InvalidInput(field, f"{field} is not a cursor this API issued", Code.INVALID_CURSOR) from None
    if payload.get("o") != order.value or payload.get("d") != descending:
        raise InvalidInput(field, f"{field} was issued for another ordering of this list", Code.INVALID_CURSOR)
    return tuple(key)
