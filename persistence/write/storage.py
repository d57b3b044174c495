"""Where each kind of record is stored: the repository class of every kind of the registry, which holds its
table, its link tables and its mapper. The read model, the unit of work and the exchange find a kind's
storage here, and nowhere else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from domain.record.kinds import ACTOR, CITATION, DIPLOMAT, EXPULSION, KINDS, MEMBERSHIP, MISSION, SOURCE, STATEMENT, WAVE, Kind
from persistence.write.actors import SqlActorRepository, SqlMembershipRepository
from persistence.write.base import LinkTable, SqlRepository
from persistence.write.expulsions import SqlExpulsionRepository, SqlWaveRepository
from persistence.write.missions import SqlDiplomatRepository, SqlMissionRepository
from persistence.write.statements import SqlCitationRepository, SqlSourceRepository, SqlStatementRepository

STORAGE: dict[Kind, type[SqlRepository[Any, Any]]] = {
    ACTOR: SqlActorRepository,
    MISSION: SqlMissionRepository,
    DIPLOMAT: SqlDiplomatRepository,
    WAVE: SqlWaveRepository,
    EXPULSION: SqlExpulsionRepository,
    SOURCE: SqlSourceRepository,
    STATEMENT: SqlStatementRepository,
    CITATION: SqlCitationRepository,
    MEMBERSHIP: SqlMembershipRepository,
}
"""The repository of each kind, in the registry's order."""

assert list(STORAGE) == list(KINDS.values()), "the storage map covers the registry exactly, in its order"
for _kind, _repository in STORAGE.items():
    assert {link.attribute for link in _repository.links} == set(_kind.links), f"{_kind.name}'s link tables are its link fields"


def table(kind: Kind) -> Table:
    """The table holding the records of `kind`."""
    return STORAGE[kind].table


def link(kind: Kind, field: str) -> LinkTable:
    """The link table holding the link field `field` of records of `kind`."""
    return next(found for found in STORAGE[kind].links if found.attribute == field)
