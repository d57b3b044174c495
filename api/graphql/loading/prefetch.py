"""Selection-aware prefetching: read the query's selection once, then load every selected relation
of a whole page level by level, one query per relation, before graphql-core walks the page.

The page's relation fields then resolve synchronously from what was preloaded, so executing
a 50-item nested page creates no task or DataLoader future per field.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection
from strawberry.utils.str_converters import to_camel_case

from api.graphql.loading.relations import fetch
from api.graphql.types.preloading import PRELOADED
from api.graphql.types.records import NAMED
from domain.read.plans import Record
from domain.record.kinds import TYPES
from domain.store import ReadSession

Plan = dict[str, list[Selection]]
"""Selected field name (as in the schema) -> the selections made under it."""

OWNERS: dict[type, Record] = {cls: Record(name) for name, cls in NAMED.items() if TYPES[name].relations}
"""The kind of record behind each GraphQL type that has relations."""


@cache
def by_field(names: frozenset[str]) -> dict[str, str]:
    """Relations by their GraphQL field name: the relation's (and the attribute's) name."""
    return {to_camel_case(name): name for name in names}


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


async def prefetch(reads: ReadSession, objects: Sequence[Any], selections: Sequence[Selection]) -> None:
    """Preload every selected relation of `objects` (all of one type), then theirs, level by level."""
    owner = OWNERS.get(type(objects[0])) if objects else None
    if owner is None:
        return
    relations = by_field(reads.relations(owner))
    for name, nested in plan(selections).items():
        attribute = relations.get(name)
        if attribute is None:
            continue
        async with reads.use() as repositories:
            values = await fetch(repositories, owner, attribute, [obj._entity for obj in objects])
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
