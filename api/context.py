"""What every resolver can reach: the unit-of-work factory, loaders and settings."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from api.loaders import Loaders
from api.settings import Settings
from domain.catalogue import StateCatalogue
from persistence.unit_of_work import SqlUnitOfWorkFactory


@dataclass(slots=True)
class Context:
    units: SqlUnitOfWorkFactory
    loaders: Loaders
    catalogue: StateCatalogue
    settings: Settings


Info = strawberry.Info[Context, None]
