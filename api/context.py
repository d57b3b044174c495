"""What every resolver can reach: the unit-of-work factory, loaders and settings."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from api.access import ANONYMOUS, Caller
from api.loaders import Loaders
from api.settings import Settings
from domain.catalogue import StateCatalogue
from persistence.unit_of_work import SqlReadSession, SqlUnitOfWorkFactory


@dataclass(slots=True)
class Context:
    """Per request: writers come from `units` (recording changes as the caller); every read goes through the one `reads` session."""

    units: SqlUnitOfWorkFactory
    reads: SqlReadSession
    loaders: Loaders
    catalogue: StateCatalogue
    settings: Settings
    caller: Caller = ANONYMOUS

    @classmethod
    def for_request(cls, units: SqlUnitOfWorkFactory, catalogue: StateCatalogue, settings: Settings, caller: Caller = ANONYMOUS) -> Context:
        reads = units.read_session()
        if caller.principal is not None:
            units = units.acting_as(caller.principal.name)
        return cls(units=units, reads=reads, loaders=Loaders(reads), catalogue=catalogue, settings=settings, caller=caller)


Info = strawberry.Info[Context, None]
