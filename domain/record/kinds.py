"""Every kind of record, declared once: what history and export call it, its entity, its key, what it refers to,
the relations the API follows, the types it goes by, and the order an exchange file keeps.

A kind is what the history, the exchange format and the `RecordKind` of the API name a record by
(`Actor`, `Mission`, ...). A type is what the API and the global IDs call it: most kinds have one type
of their own name, but the Actor kind has two, State and Organisation (an actor's own `kind` decides).
Everything else that goes by kind (the repositories of the unit of work, the tables and their
relations, the GraphQL types, the editors) is derived from this registry or checked against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.record.actors import Actor, ActorKind
from domain.record.diplomats import Diplomat
from domain.record.expulsions import Expulsion, Wave
from domain.record.memberships import Membership
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement


@dataclass(frozen=True, slots=True)
class Reference:
    """A field by which a record names records of the `target` kind, by their key (an actor's code, any other's id)."""

    field: str
    target: str
    link: bool = False
    """Whether the field is a list of keys (a many-to-many link) rather than one key or none."""
    states_only: bool = False
    """For a reference to an actor: whether that actor must be a state."""
    fit: str | None = None
    """The entity's own rule (a method taking the record named) for a reference that must fit the record it names."""


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation the API and the read side follow, by `name`: to the records the record's own reference `field`
    names, or, with `of`, to the records of kind `of` whose reference `field` names the record."""

    name: str
    field: str
    description: str
    """What the relation means, as the API describes it."""
    of: str | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Kind:
    """One kind of record. Kinds are compared and hashed by identity: each is declared once, below."""

    name: str
    """What the history, the exchange format and the API's `RecordKind` call it."""
    entity: type[Any]
    repository: str
    """The unit of work's attribute holding the kind's repository."""
    key: tuple[str, ...] = ("id",)
    """The fields that key a record in an exchange file: its id, but an actor's code and a membership's own fields."""
    types: tuple[str, ...] = ()
    """The types its records go by in the API and in global IDs; the kind's own name when none are given."""
    references: tuple[Reference, ...] = ()
    relations: tuple[Relation, ...] = ()
    personal: tuple[str, ...] = ()
    """The fields that name a person: personal data, which only callers allowed to read personal data see, live and in
    the history, and which an erasure blanks (domain.record.history holds the rule; this is its one list)."""
    since: int = 1
    """The first exchange format version that holds the kind."""

    def __post_init__(self) -> None:
        if not self.types:
            object.__setattr__(self, "types", (self.name,))

    @property
    def keyed_by_fields(self) -> bool:
        """Whether a file keys the record by its fields (an actor's code; a membership's organisation, state and joined), not by an id."""
        return self.key != ("id",)

    def reference(self, field: str) -> Reference:
        return next(reference for reference in self.references if reference.field == field)

    @property
    def links(self) -> tuple[str, ...]:
        """The fields that hold lists of ids."""
        return tuple(reference.field for reference in self.references if reference.link)


def _actor(field: str, *, states_only: bool = False) -> Reference:
    return Reference(field, "Actor", states_only=states_only)


ACTOR = Kind("Actor", Actor, "actors", key=("code",), types=("State", "Organisation"))
MISSION = Kind(
    "Mission",
    Mission,
    "missions",
    references=(_actor("sending_state", states_only=True), _actor("host_state", states_only=True), _actor("accredited_to")),
    relations=(
        Relation("sending_state", "sending_state", "The state that sends the mission."),
        Relation("host_state", "host_state", "The state on whose territory the mission sits."),
        Relation(
            "accredited_to", "accredited_to", "The organisation the mission is accredited to, when it is not the host state (e.g. the UN)."
        ),
    ),
)
DIPLOMAT = Kind(
    "Diplomat",
    Diplomat,
    "diplomats",
    references=(_actor("sending_state", states_only=True), Reference("mission_id", "Mission", fit="may_serve_at")),
    relations=(
        Relation("sending_state", "sending_state", "The state that sent this person."),
        Relation("mission", "mission_id", "The mission the person served at, if known."),
    ),
    personal=("name",),
)
WAVE = Kind("Wave", Wave, "waves")
EXPULSION = Kind(
    "Expulsion",
    Expulsion,
    "expulsions",
    references=(
        _actor("actor"),
        _actor("target", states_only=True),
        Reference("target_mission_id", "Mission", fit="may_target"),
        Reference("diplomat_ids", "Diplomat", link=True, fit="may_name"),
        Reference("wave_id", "Wave"),
        Reference("answers", "Expulsion", link=True, fit="may_answer"),
    ),
    relations=(
        Relation("actor", "actor", "The state or organisation that took the measure."),
        Relation("target", "target", "The state whose people or posts the measure is aimed at."),
        Relation("target_mission", "target_mission_id", "The target's mission concerned, if the reports name one."),
        Relation("people", "diplomat_ids", "The named people the measure concerns; often fewer than the headcount, or none."),
        Relation("answers", "answers", "The earlier measures this one answers (tit-for-tat, mirror or solidarity responses)."),
        Relation("answered_by", "answers", "The later measures that answer this one.", of="Expulsion"),
        Relation("wave", "wave_id", "The wave this measure belongs to, if any."),
        Relation("statements", "measure_ids", "What was said about this measure, by either side or by others.", of="Statement"),
        Relation(
            "citations", "measure_id", "The sources backing this measure, each with the headcount that source reported.", of="Citation"
        ),
    ),
)
SOURCE = Kind("Source", Source, "sources")
STATEMENT = Kind(
    "Statement",
    Statement,
    "statements",
    references=(_actor("on_behalf_of"), Reference("measure_ids", "Expulsion", link=True)),
    relations=(
        Relation("on_behalf_of", "on_behalf_of", "The state or organisation on whose behalf it was said."),
        Relation("measures", "measure_ids", "The measures it is about; empty for a statement about no expulsion."),
        Relation("citations", "statement_id", "The sources that report it.", of="Citation"),
    ),
    personal=("speaker_name",),
)
CITATION = Kind(
    "Citation",
    Citation,
    "citations",
    references=(Reference("source_id", "Source"), Reference("measure_id", "Expulsion"), Reference("statement_id", "Statement")),
    relations=(
        Relation("source", "source_id", "The source cited."),
        Relation("measure", "measure_id", "The measure this citation backs, if it backs a measure."),
        Relation("statement", "statement_id", "The statement this citation backs, if it backs a statement."),
    ),
)
MEMBERSHIP = Kind(
    "Membership",
    Membership,
    "memberships",
    key=("organisation", "state", "joined"),
    references=(_actor("organisation"), _actor("state", states_only=True)),
    since=2,
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in (ACTOR, MISSION, DIPLOMAT, WAVE, EXPULSION, SOURCE, STATEMENT, CITATION, MEMBERSHIP)}
"""Every kind by its name, in the exchange order: every record refers only to kinds before it."""

TYPES: dict[str, Kind] = {type_name: kind for kind in KINDS.values() for type_name in kind.types}
"""The kind of each type records go by: State and Organisation are both of the Actor kind."""


def kind_of(entity: object) -> str:
    """The name of the entity's kind."""
    for name, kind in KINDS.items():
        if type(entity) is kind.entity:
            return name
    raise TypeError(f"{type(entity).__name__} is not a record")


def type_name(kind: str, document: Mapping[str, Any] | None) -> str:
    """The type a record of `kind` goes by, from its document: an actor is a State or an Organisation by its own kind."""
    if kind == ACTOR.name:
        return "Organisation" if (document or {}).get("kind") == ActorKind.ORGANISATION.value else "State"
    return kind


def followed(kind: Kind, relation: Relation) -> tuple[Kind, Reference, bool]:
    """Where a relation leads: the kind it reaches, the reference it follows, and whether that reference is the
    other kind's (pointing back at `kind`). A relation is to many records when it follows a link or goes back."""
    if relation.of is None:
        reference = kind.reference(relation.field)
        return KINDS[reference.target], reference, False
    other = KINDS[relation.of]
    return other, other.reference(relation.field), True


def _check() -> None:
    names = list(KINDS)
    for position, kind in enumerate(KINDS.values()):
        fields = set(kind.entity.__dataclass_fields__)
        assert set(kind.key) | {reference.field for reference in kind.references} | set(kind.personal) <= fields, kind.name
        for reference in kind.references:
            assert names.index(reference.target) <= position, f"{kind.name} refers to {reference.target}, which comes after it"
            assert len(KINDS[reference.target].key) == 1, f"{reference.target} is keyed by several fields; nothing refers to it"
        for relation in kind.relations:
            _, reference, back = followed(kind, relation)
            assert not back or KINDS[reference.target] is kind, f"{kind.name}.{relation.name} does not lead back"


_check()
