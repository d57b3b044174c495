"""What every resolver can reach: the unit-of-work factory, loaders and settings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import strawberry

from api.graphql.loading.loaders import Loaders
from api.limits.access import ANONYMOUS, Caller, identify
from api.live.hub import Following
from api.settings import Settings
from domain.access import Principal
from domain.errors import DomainError
from domain.ports import TokenRepository
from domain.record.catalogue import StateCatalogue
from domain.record.history import reads_personal_data
from domain.store import Instant, ReadSession, RecordStore, WriteNote


@dataclass(slots=True)
class Context:
    """Per request: writers come from `units` (recording changes as the caller); every read goes through the one `reads` session."""

    uow_factory: RecordStore
    reads: ReadSession
    loaders: Loaders
    catalogue: StateCatalogue
    settings: Settings
    caller: Caller = ANONYMOUS
    cost: int | None = None
    """What the request's operation may cost, as the gate measured it before it ran."""
    following: Following | None = None
    """For a subscription: the live history it follows (None for queries and mutations)."""
    instant: Instant | None = None
    """With `asOf`: the past instant every read of the request answers for (`reads` is on the record as it stood then)."""
    as_of_problem: DomainError | None = None
    """Why the `asOf` asked for cannot be answered; every root field then fails with it."""

    @classmethod
    async def for_request(
        cls,
        uow_factory: RecordStore,
        catalogue: StateCatalogue,
        settings: Settings,
        authorization: str | None = None,
        *,
        read_after: int = 0,
        primary: bool = False,
        as_of: datetime | DomainError | None = None,
    ) -> Context:
        """The context of one request; a bearer token in `authorization` is checked on the request's own read connection.

        With a replica, the request reads from it once it has replayed every write this process knows of and
        `read_after` (a WAL position the client was given by its own write); with `primary` (a request that writes, a
        subscription), it reads from the primary. With `as_of` (an instant, or why the one asked for is refused), every
        read goes to the record as it stood at that instant.
        """
        reads = await uow_factory.session_after(read_after, primary=primary)
        caller = await identify(authorization, _checking_on(reads))
        if caller.refused and uow_factory.replica is not None:
            caller = await _on_primary(uow_factory, authorization)  # a token made a moment ago may not have reached the replica
        # Hand the connection back now: a request may end without executing (a malformed body, GraphiQL),
        # and nothing else would return it to the pool.
        await reads.close()
        instant, problem = None, as_of if isinstance(as_of, DomainError) else None
        if isinstance(as_of, datetime) and not (caller.refused or caller.unavailable):
            personal = reads_personal_data(None if caller.principal is None else caller.principal.role)
            try:
                reads, instant = await uow_factory.session_as_of(as_of, personal=personal)
            except DomainError as error:
                problem = error
        uow_factory = uow_factory.releasing(reads.close).noting(WriteNote())
        if caller.principal is not None:
            uow_factory = uow_factory.acting_as(caller.principal.name)
        return cls(
            uow_factory=uow_factory,
            reads=reads,
            loaders=Loaders(reads),
            catalogue=catalogue,
            settings=settings,
            caller=caller,
            instant=instant,
            as_of_problem=problem,
        )


def _checking_on(reads: ReadSession) -> Callable[[Callable[[TokenRepository], Awaitable[Principal]]], Awaitable[Principal]]:
    """How `identify` looks a token up: on this read session."""

    async def check(work: Callable[[TokenRepository], Awaitable[Principal]]) -> Principal:
        async with reads.use() as repositories:
            return await work(repositories.tokens)

    return check


async def _on_primary(uow_factory: RecordStore, authorization: str | None) -> Caller:
    """The caller, its token checked on the primary."""
    reads = uow_factory.primary_session()
    try:
        return await identify(authorization, _checking_on(reads))
    finally:
        await reads.close()


def token_checker(uow_factory: RecordStore) -> Callable[[str], Awaitable[bool]]:
    """Whether an `Authorization` header carries a valid token, checked as a request's context checks it."""

    async def valid(authorization: str) -> bool:
        reads = uow_factory.read_session()
        try:
            if (await identify(authorization, _checking_on(reads))).principal is not None:
                return True
        finally:
            await reads.close()
        return uow_factory.replica is not None and (await _on_primary(uow_factory, authorization)).principal is not None

    return valid


Info = strawberry.Info[Context, None]
