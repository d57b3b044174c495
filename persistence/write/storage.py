"""Where each kind of record is stored: the repository class of every kind of the registry, which holds its
table, its link tables and its mapper. The read model, the unit of work and the exchange find a kind's
storage here, and nowhere else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from domain.record.kinds import ACTOR, CITATION, DIPLOMAT, EXPULSION, KINDS, MEMBERSHIP, MISSION, SOURCE, STATEMENT, WAVE, Kind
from persistence.write import repositories as sql

STORAGE: dict[Kind, type[sql.SqlRepository[Any, Any]]] = {
    ACTOR: sql.SqlActorRepository,
    MISSION: sql.SqlMissionRepository,
    DIPLOMAT: sql.SqlDiplomatRepository,
    WAVE: sql.SqlWaveRepository,
    EXPULSION: sql.SqlExpulsionRepository,
    SOURCE: sql.SqlSourceRepository,
    STATEMENT: sql.SqlStatementRepository,
    CITATION: sql.SqlCitationRepository,
    MEMBERSHIP: sql.SqlMembershipRepository,
}
"""The repository of each kind, in the registry's order."""

assert list(STORAGE) == list(KINDS.values()), "the storage map covers the registry exactly, in its order"
for _kind, _repository in STORAGE.items():
    assert {link.attribute for link in _repository.links} == set(_kind.links), f"{_kind.name}'s link tables are its link fields"


def table(kind: Kind) -> Table:
    """The table holding the records of `kind`."""
    return STORAGE[kind].table


def link(kind: Kind, field: str) -> sql.LinkTable:
    """The link table holding the link field `field` of records of `kind`."""
    return next(found for found in STORAGE[kind].links if found.attribute == field)
