"""What every resolver can reach: the unit-of-work factory, loaders and settings."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from api.loaders import Loaders
from api.settings import Settings
from domain.catalogue import StateCatalogue
from persistence.unit_of_work import SqlReadSession, SqlUnitOfWorkFactory


@dataclass(slots=True)
class Context:
    """Per request: writers come from `units`; every read goes through the one `reads` session."""

    units: SqlUnitOfWorkFactory
    reads: SqlReadSession
    loaders: Loaders
    catalogue: StateCatalogue
    settings: Settings

    @classmethod
    def for_request(cls, units: SqlUnitOfWorkFactory, catalogue: StateCatalogue, settings: Settings) -> Context:
        reads = units.read_session()
        return cls(units=units, reads=reads, loaders=Loaders(reads), catalogue=catalogue, settings=settings)


Info = strawberry.Info[Context, None]
