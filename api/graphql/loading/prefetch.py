"""Selection-aware prefetching: read the query's selection once, then load every selected relation
of a whole page level by level, one query per relation, before graphql-core walks the page.

The page's relation fields then resolve synchronously from what was preloaded, so executing
a 50-item nested page creates no task or DataLoader future per field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from api.graphql.loading.relations import Fetch, by_field
from api.graphql.types.preloading import PRELOADED
from api.graphql.types.records import NAMED
from domain.record.kinds import TYPES, Kind
from persistence.write.unit_of_work import SqlReadSession

Plan = dict[str, list[Selection]]
"""Selected field name (as in the schema) -> the selections made under it."""

OWNERS: dict[type, Kind] = {cls: TYPES[name] for name, cls in NAMED.items() if TYPES[name].relations}
"""The kind behind each GraphQL type that has relations."""


RELATIONS: dict[type, dict[str, tuple[str, Fetch]]] = {kind: by_field(owner) for kind, owner in OWNERS.items()}
"""Each type's relations by GraphQL field name: (attribute, fetch), from their one declaration."""


def plan(selections: Sequence[Selection]) -> Plan:
    """The fields selected, fragments and inline fragments folded in."""
    found: Plan = {}
    for selection in selections:
        if isinstance(selection, SelectedField):
            found.setdefault(selection.name, []).extend(selection.selections)
        elif isinstance(selection, FragmentSpread | InlineFragment):
            for name, nested in plan(selection.selections).items():
                found.setdefault(name, []).extend(nested)
    return found


def connection_nodes(fields: Sequence[Selection]) -> list[Selection]:
    """What the connection field being resolved selects on its nodes, via `edges { node }` and `nodes`."""
    top = plan([selection for field in fields if isinstance(field, SelectedField) for selection in field.selections])
    return [*plan(top.get("edges", [])).get("node", []), *top.get("nodes", [])]


async def prefetch(reads: SqlReadSession, objects: Sequence[Any], selections: Sequence[Selection]) -> None:
    """Preload every selected relation of `objects` (all of one type), then theirs, level by level."""
    relations = RELATIONS.get(type(objects[0])) if objects else None
    if not relations:
        return
    for name, nested in plan(selections).items():
        relation = relations.get(name)
        if relation is None:
            continue
        attribute, fetch = relation
        async with reads.use() as repositories:
            values = await fetch(repositories, [obj._entity for obj in objects])
        children: dict[int, Any] = {}
        for obj, value in zip(objects, values, strict=True):
            getattr(obj, PRELOADED)[attribute] = value
            for child in value if isinstance(value, list) else [value]:
                if child is not None:
                    children[id(child)] = child
        by_type: dict[type, list[Any]] = {}
        for child in children.values():
            by_type.setdefault(type(child), []).append(child)
        for group in by_type.values():
            await prefetch(reads, group, nested)
