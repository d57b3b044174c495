"""How a database failure becomes the port's own error, and how a connection is ended after one."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import asyncpg  # type: ignore[import-untyped]  # no stubs; only its exception and connection classes are used
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.errors import Code, Conflict, DomainError, InvalidInput, StorageUnavailable
from persistence.sql.engine import STORE_FAULTS, discard

UNAVAILABLE = "the record store is unavailable; nothing was written. Retrying later may succeed"
BAD_VALUE = "a value cannot be stored as given (a text with a NUL character, or a number out of range); nothing was written"
log = logging.getLogger(__name__)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps: SQLAlchemy's error, the adapter's, the driver's own."""
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.orig if isinstance(seen, DBAPIError) and seen.orig is not seen else seen.__cause__


def is_bad_value(exc: BaseException) -> bool:
    """Whether the store refused a value the caller gave, not failed: PostgreSQL's data exceptions (SQLSTATE
    class 22, such as a NUL in a text), asyncpg's refusal to encode an argument (an int past 32 bits), and
    SQLite's of an integer past 64 bits."""
    for cause in _causes(exc):
        if str(getattr(cause, "sqlstate", None) or "").startswith("22") or isinstance(cause, OverflowError):
            return True
        if isinstance(cause, asyncpg.InterfaceError) and isinstance(cause, ValueError):
            return not isinstance(cause, asyncpg.ClientConfigurationError)
    return False


def is_lost_connection(exc: BaseException) -> bool:
    """Whether the connection can no longer be trusted: gone, or a wait on it ran out with a statement
    perhaps still running. An error the server answered with (a conflict, a cancelled statement) leaves it usable."""
    if is_bad_value(exc):
        return False
    if isinstance(exc, DBAPIError) and not exc.connection_invalidated:
        return any(isinstance(cause, OSError | asyncpg.InterfaceError | asyncpg.PostgresConnectionError) for cause in _causes(exc))
    return True


UNCERTAIN_COMMIT = (
    "the record store failed while committing the change: it may or may not have been written; read the record before retrying"
)


def storage_error(exc: BaseException) -> DomainError:
    """The port's own error for a database failure, worded without the database's internals.

    Anything but a conflict is logged with its traceback: a refused value should have been caught
    by the domain's own checks, and an unavailable store is the operator's to look at.
    """
    if isinstance(exc, IntegrityError):
        return _conflict(exc)
    if is_bad_value(exc):
        log.warning("the record store refused a value the caller gave", exc_info=exc)
        return InvalidInput("input", BAD_VALUE, Code.INVALID_VALUE)
    log.error("the record store failed", exc_info=exc)
    return StorageUnavailable(UNAVAILABLE)


def _conflict(exc: IntegrityError) -> Conflict:
    text = str(exc.orig).lower() if exc.orig is not None else ""
    if "unique" in text:
        return Conflict("a record with the same key already exists; nothing was written", code=Code.DUPLICATE)
    if "foreign key" in text:
        if (exc.statement or "").lstrip().upper().startswith("DELETE"):
            return Conflict(
                "other records still refer to this one; change or delete them first. Nothing was deleted", code=Code.STILL_REFERENCED
            )
        return Conflict("the change refers to a record that does not exist (foreign key); nothing was written", code=Code.UNKNOWN_REFERENCE)
    rule = _CHECK_NAME.search(text)
    return Conflict(
        f"the change breaks the record's rule {rule.group(0) if rule else '(a check)'}; nothing was written", code=Code.CONSTRAINT
    )


_CHECK_NAME = re.compile(r"ck_[a-z_]+")


async def end(connection: AsyncConnection, fault: BaseException | None) -> None:
    """Roll back and hand `connection` back to the pool, or drop it when `fault` left it unusable;
    a fault while rolling back drops it too, and is the caller's to report only if nothing went wrong before."""
    if isinstance(fault, STORE_FAULTS) and is_lost_connection(fault):
        await discard(connection)
        return
    try:
        if connection.in_transaction():
            await connection.rollback()
    except STORE_FAULTS as exc:
        await discard(connection)
        if fault is None:
            raise storage_error(exc) from exc
        return
    await connection.close()
