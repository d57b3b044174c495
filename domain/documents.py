"""Stored GraphQL documents, named by the SHA-256 of their text: the automatic persisted queries clients register as they
go, and the trusted documents an operator registers ahead of time. Both are ports; the SQL adapters satisfy them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

HASH = re.compile(r"[0-9a-f]{64}")
"""A document's name: the lower-case hex SHA-256 of its text."""


def document_hash(text: str) -> str:
    """The SHA-256 of a document's text, as its UTF-8 bytes, in lower-case hex (what Apollo's clients send)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class TrustedDocument:
    """One operation an operator registered: its name, its text (the operation and the fragments it uses) and its hash."""

    hash: str
    name: str
    text: str
    registered_at: datetime | None = None


class PersistedQueries(Protocol):
    """The automatic persisted queries every server process shares, bounded in count and bytes: the least recently used
    go first when a new one would pass a bound."""

    async def find(self, hash: str) -> str | None:
        """The text stored under `hash`, or None; finding it counts as a use."""
        ...

    async def touch(self, hash: str) -> None:
        """Count a use of the document stored under `hash` (a process that found it in its own cache says so now and then)."""
        ...

    async def keep(self, hash: str, text: str) -> None:
        """Store `text` under `hash` (its SHA-256, checked by the caller), then drop the least recently used past the bounds."""
        ...

    async def count(self) -> tuple[int, int]:
        """How many documents are stored, and their bytes."""
        ...


class TrustedDocuments(Protocol):
    """The operations registered ahead of time: never evicted, found by hash or by name."""

    async def by_hash(self, hash: str) -> TrustedDocument | None:
        """The registered operation whose hash is `hash`, or None."""
        ...

    async def by_name(self, name: str) -> TrustedDocument | None:
        """The operation registered last under `name`, or None."""
        ...

    async def register(self, documents: Sequence[TrustedDocument]) -> list[TrustedDocument]:
        """Register each document not yet registered (by hash), all in one transaction: the ones that were new."""
        ...

    async def listed(self) -> list[TrustedDocument]:
        """Every registered operation, by name, then by when it was registered."""
        ...
