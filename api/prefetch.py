"""Selection-aware prefetching: read the query's selection once, then load every selected relation
of a whole page level by level, one query per relation, before graphql-core walks the page.

The page's relation fields then resolve synchronously from what was preloaded, so executing
a 50-item nested page creates no task or DataLoader future per field.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from api.types.actors import actor_type
from api.types.expulsions import Expulsion, Wave
from api.types.missions import Diplomat, Mission
from api.types.preloading import PRELOADED
from api.types.statements import Citation, Source, Statement
from persistence.unit_of_work import SqlReadSession, SqlRepositories

Plan = dict[str, list[Selection]]
"""Selected field name (as in the schema) -> the selections made under it."""

Fetch = Callable[[SqlRepositories, Sequence[Any]], Awaitable[list[Any]]]
"""Parents' domain entities -> the relation's value for each parent, in the same order."""


@dataclass(frozen=True, slots=True)
class Relation:
    attribute: str
    fetch: Fetch


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


def _actors(code_of: Callable[[Any], str | None]) -> Fetch:
    async def fetch(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
        codes = {code for code in map(code_of, parents) if code is not None}
        found = {code: actor_type(actor) for code, actor in (await repositories.actors.get_by_codes(codes)).items()}
        return [found.get(code) if code is not None else None for code in map(code_of, parents)]

    return fetch


def _one(repository: Callable[[SqlRepositories], Any], id_of: Callable[[Any], int | None], build: Callable[[Any], Any]) -> Fetch:
    async def fetch(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
        ids = {id for id in map(id_of, parents) if id is not None}
        found = {id: build(entity) for id, entity in (await repository(repositories).get_many(ids)).items()}
        return [found.get(id) if id is not None else None for id in map(id_of, parents)]

    return fetch


def _many_by_ids(
    repository: Callable[[SqlRepositories], Any], ids_of: Callable[[Any], Sequence[int]], build: Callable[[Any], Any]
) -> Fetch:
    async def fetch(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
        wanted = {id for parent in parents for id in ids_of(parent)}
        found = {id: build(entity) for id, entity in (await repository(repositories).get_many(wanted)).items()}
        return [[found[id] for id in ids_of(parent) if id in found] for parent in parents]

    return fetch


def _grouped(group: Callable[[SqlRepositories, list[int]], Awaitable[dict[int, list[Any]]]], build: Callable[[Any], Any]) -> Fetch:
    async def fetch(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
        by_parent = await group(repositories, [parent.id for parent in parents])
        return [[build(entity) for entity in by_parent.get(parent.id, [])] for parent in parents]

    return fetch


async def _answered_by(repositories: SqlRepositories, parents: Sequence[Any]) -> list[Any]:
    answering = await repositories.expulsions.answering([parent.id for parent in parents])
    later = await repositories.expulsions.get_many({id for ids in answering.values() for id in ids})
    return [[Expulsion.from_domain(later[id]) for id in answering.get(parent.id, []) if id in later] for parent in parents]


RELATIONS: dict[type, dict[str, Relation]] = {
    Expulsion: {
        "actor": Relation("actor", _actors(lambda m: m.actor)),
        "target": Relation("target", _actors(lambda m: m.target)),
        "targetMission": Relation("target_mission", _one(lambda r: r.missions, lambda m: m.target_mission_id, Mission.from_domain)),
        "people": Relation("people", _grouped(lambda r, ids: r.diplomats.of_measures(ids), Diplomat.from_domain)),
        "answers": Relation("answers", _many_by_ids(lambda r: r.expulsions, lambda m: m.answers, Expulsion.from_domain)),
        "answeredBy": Relation("answered_by", _answered_by),
        "wave": Relation("wave", _one(lambda r: r.waves, lambda m: m.wave_id, Wave.from_domain)),
        "statements": Relation("statements", _grouped(lambda r, ids: r.statements.about_measures(ids), Statement.from_domain)),
        "citations": Relation("citations", _grouped(lambda r, ids: r.citations.of_measures(ids), Citation.from_domain)),
    },
    Statement: {
        "onBehalfOf": Relation("on_behalf_of", _actors(lambda s: s.on_behalf_of)),
        "measures": Relation("measures", _many_by_ids(lambda r: r.expulsions, lambda s: s.measure_ids, Expulsion.from_domain)),
        "citations": Relation("citations", _grouped(lambda r, ids: r.citations.of_statements(ids), Citation.from_domain)),
    },
    Citation: {
        "source": Relation("source", _one(lambda r: r.sources, lambda c: c.source_id, Source.from_domain)),
        "measure": Relation("measure", _one(lambda r: r.expulsions, lambda c: c.measure_id, Expulsion.from_domain)),
        "statement": Relation("statement", _one(lambda r: r.statements, lambda c: c.statement_id, Statement.from_domain)),
    },
    Diplomat: {
        "sendingState": Relation("sending_state", _actors(lambda d: d.sending_state)),
        "mission": Relation("mission", _one(lambda r: r.missions, lambda d: d.mission_id, Mission.from_domain)),
    },
    Mission: {
        "sendingState": Relation("sending_state", _actors(lambda m: m.sending_state)),
        "hostState": Relation("host_state", _actors(lambda m: m.host_state)),
        "accreditedTo": Relation("accredited_to", _actors(lambda m: m.accredited_to)),
    },
}


async def prefetch(reads: SqlReadSession, objects: Sequence[Any], selections: Sequence[Selection]) -> None:
    """Preload every selected relation of `objects` (all of one type), then theirs, level by level."""
    relations = RELATIONS.get(type(objects[0])) if objects else None
    if not relations:
        return
    for name, nested in plan(selections).items():
        relation = relations.get(name)
        if relation is None:
            continue
        async with reads.use() as repositories:
            values = await relation.fetch(repositories, [obj._entity for obj in objects])
        children: dict[int, Any] = {}
        for obj, value in zip(objects, values, strict=True):
            getattr(obj, PRELOADED)[relation.attribute] = value
            for child in value if isinstance(value, list) else [value]:
                if child is not None:
                    children[id(child)] = child
        by_type: dict[type, list[Any]] = {}
        for child in children.values():
            by_type.setdefault(type(child), []).append(child)
        for group in by_type.values():
            await prefetch(reads, group, nested)
