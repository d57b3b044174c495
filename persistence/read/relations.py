"""The relations of the read model (`persistence.read.model.RELATIONS`) fetched by their domain names: the SQL side of
the `RelatedRecords` port, one batched query per relation whatever the number of parents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from domain.read.plans import Record
from persistence.read.model import RECORDS, Linked, ToOne

if TYPE_CHECKING:
    from persistence.write.read_session import SqlRepositories

NAMES: dict[Record, frozenset[str]] = {record: frozenset(described.relations) for record, described in RECORDS.items()}
"""The names of each kind of record's relations."""


class SqlRelatedRecords:
    """Relations fetched on the connection of `repositories`."""

    def __init__(self, repositories: SqlRepositories) -> None:
        self._repositories = repositories

    async def fetch(self, owner: Record, name: str, parents: Sequence[Any]) -> list[Any]:
        relation = RECORDS[owner].relations[name]
        repository = getattr(self._repositories, relation.target.repository)
        if isinstance(relation, ToOne):
            keys = [getattr(parent, relation.column) for parent in parents]
            wanted = {key for key in keys if key is not None}
            found = await (repository.get_by_codes(wanted) if relation.key == "code" else repository.get_many(wanted))
            return [found.get(key) for key in keys]
        ids = [parent.id for parent in parents]
        if isinstance(relation, Linked):
            by_parent = await repository.linked(relation.link, relation.owner, relation.other, ids)
        else:
            by_parent = await repository.referencing(relation.column, ids)
        return [by_parent.get(parent.id, []) for parent in parents]
