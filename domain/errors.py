"""Errors the domain raises; the edges translate them, never the other way round."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every expected failure a use case can report."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DomainError):
    """A value breaks an invariant; `field` names the offending input field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    """A referenced record does not exist."""

    def __init__(self, entity: str, key: object, field: str | None = None) -> None:
        super().__init__(f"{entity} {key!r} does not exist")
        self.entity = entity
        self.key = key
        self.field = field


class Conflict(DomainError):
    """The change contradicts the stored record (a duplicate, or a record still referenced)."""


class Contended(Conflict):
    """Two writers each waited for a record the other held; the store undid this one, and nothing was written. Running
    the whole change again is safe."""


class StorageUnavailable(DomainError):
    """The record store failed for a reason that is not the caller's input."""


class StaleVersion(Conflict):
    """An edit named a version of the record that is no longer the current one."""

    def __init__(self, entity: str, key: object, expected: int, current: int) -> None:
        super().__init__(
            f"{entity} {key!r} is at version {current}, not {expected}: it changed since it was read; "
            "nothing was written. Read it again and reapply the change"
        )
        self.entity = entity
        self.key = key
        self.expected = expected
        self.current = current


class Unauthenticated(DomainError):
    """The caller gave no credentials where some are needed, or credentials that are not valid."""
