"""How an import finds and compares records: actors by any code, measures by natural key, references by the entity's rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.errors import Code, InvalidInput
from domain.record.actors import Actor, named_by
from domain.record.catalogue import StateCatalogue
from domain.record.documents import Document, to_document
from domain.record.expulsions import Expulsion
from domain.record.kinds import KINDS, kind_of


class _Actors:
    """Finds an actor by any code it answers to, the way the actor repository does (`named_by`)."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        by_code = {actor.code: actor for actor in actors}
        codes = {*by_code, *(actor.alpha3 for actor in by_code.values() if actor.alpha3)}
        self._named = named_by(codes, by_code.values())

    def find(self, code: str) -> Actor | None:
        return self._named.get(code)


def _new_actor_refusal(actor: Actor, known: _Actors, catalogue: StateCatalogue | None) -> tuple[Code, str] | None:
    """Why a new actor may not be added (the rule and the reason), as the API would refuse it; None when it may."""
    clash = known.find(actor.code)
    if clash is not None:
        return Code.DUPLICATE, f"code {actor.code} already names {clash.code}"
    if actor.is_state and catalogue is not None:
        listed = catalogue.lookup(actor.code)
        if listed is None or listed.code != actor.code or listed.kind is not actor.kind:
            return (
                Code.UNKNOWN_REFERENCE,
                f"{actor.code} is not a {actor.kind.value.replace('_', ' ')} of ISO 3166; states come from the ISO catalogue",
            )
    return None


NaturalKey = tuple[str, str, str, str]
"""A measure's actor, target, type and announcement date: how a CSV row without id is found."""


def natural_key(measure: Expulsion) -> NaturalKey:
    return (measure.actor, measure.target, measure.measure_type.value, str(measure.announced))


def _document(entity: Any) -> Document:
    document = to_document(entity)
    document.pop("id")
    return document


def _misfit(entity: Any, field: str, other: Any) -> tuple[Code, str] | None:
    """Why `entity` cannot refer to `other` through `field` (the rule and the reason), by the entity's own rule (the
    use cases apply the same ones); None when it can."""
    rule = KINDS[kind_of(entity)].reference(field).fit
    if rule is None:
        return None
    try:
        getattr(entity, rule)(other)
    except InvalidInput as error:
        return error.code, error.message
    return None
