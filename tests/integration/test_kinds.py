"""The registry of kinds of record: everything that goes by kind covers it exactly, and actor codes resolve by one rule."""

from __future__ import annotations

import pytest
from strawberry.types.base import get_object_definition

from api.graphql.loading.prefetch import OWNERS
from api.graphql.types.history import RecordKind
from api.graphql.types.records import BUILDERS, NAMED
from domain.ports import UnitOfWork
from domain.read.plans import ACTOR_RECORDS, Record
from domain.record.actors import Actor, ActorKind, named_by
from domain.record.history import PERSONAL_FIELDS
from domain.record.kinds import ACTOR, KINDS, TYPES, Kind, followed, kind_of, type_name
from domain.use_cases.history import EDITORS
from persistence.read.model import RECORDS, RELATIONS, Linked, Referencing, ToOne
from persistence.sql.migrations.versions import v0007_personal_fields as personal_fields_revision
from persistence.write.read_session import SqlRepositories
from persistence.write.storage import STORAGE
from tests.fakes import AGGREGATES, FakeUnitOfWork


def test_every_kind_has_its_storage_editor_repositories_and_graphql_types() -> None:
    assert list(STORAGE) == list(KINDS.values())
    assert list(EDITORS) == list(KINDS)
    assert list(BUILDERS) == list(KINDS)
    assert [kind.value for kind in RecordKind] == list(KINDS)
    assert list(NAMED) == list(TYPES)
    attributes = [kind.repository for kind in KINDS.values()]
    for holder in (UnitOfWork, SqlRepositories, FakeUnitOfWork):
        assert set(attributes) <= set(dir(holder)) | set(getattr(holder, "__annotations__", {})), holder
    assert list(AGGREGATES) == attributes


def test_an_actor_has_two_types_and_every_other_kind_one_of_its_own_name() -> None:
    assert TYPES["State"] is TYPES["Organisation"] is ACTOR
    assert {record for record in Record if TYPES[record.value] is ACTOR} == ACTOR_RECORDS
    for name, kind in KINDS.items():
        assert kind.types == (("State", "Organisation") if kind is ACTOR else (name,))
    assert type_name("Actor", {"kind": "organisation"}) == "Organisation"
    assert type_name("Actor", {"kind": "former_state"}) == type_name("Actor", None) == "State"
    assert type_name("Wave", None) == "Wave"


def test_every_kind_refers_only_to_kinds_before_it_or_itself() -> None:
    order = list(KINDS)
    for position, kind in enumerate(KINDS.values()):
        for reference in kind.references:
            assert order.index(reference.target) <= position, (kind.name, reference.field)


def test_the_names_of_people_alone_are_personal_data_and_the_database_and_the_schema_guard_each() -> None:
    assert PERSONAL_FIELDS == {"Diplomat": ("name",), "Statement": ("speaker_name",)}
    # The history's triggers write the rule out (a revision's DDL is frozen): the newest one covers every personal field.
    assert {kind: (field,) for kind, field in personal_fields_revision.PERSONAL.items()} == PERSONAL_FIELDS
    # Every GraphQL field that shows a personal field goes through the guard, and no other does.
    guarded = {
        (kind.name, field.python_name)
        for name, cls in NAMED.items()
        for kind in [TYPES[name]]
        for field in get_object_definition(cls, strict=True).fields
        if field.metadata.get("personal")
    }
    assert guarded == {(kind, field) for kind, fields in PERSONAL_FIELDS.items() for field in fields}


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_the_read_model_puts_each_relation_of_the_registry_on_its_storage(kind: Kind) -> None:
    assert kind in RELATIONS
    relations = RELATIONS[kind]
    for relation in kind.relations:
        target, reference, back = followed(kind, relation)
        stored = relations[relation.name]
        assert stored.target is target
        if reference.link:
            assert isinstance(stored, Linked)
        elif back:
            assert isinstance(stored, Referencing)
            assert stored.column == reference.field
        else:
            assert isinstance(stored, ToOne)
            assert stored.column == reference.field
            assert stored.key == target.key[0]
        assert reference.link or reference.field in STORAGE[target if back else kind].table.c


def test_the_read_model_reads_every_type_but_memberships_and_prefetches_every_kind_with_relations() -> None:
    assert {record.value for record in RECORDS} == set(TYPES) - {"Membership"}
    assert {TYPES[record.value] for record in OWNERS.values()} == {kind for kind in KINDS.values() if kind.relations}


def test_kind_of_names_an_entity_by_its_kind_and_refuses_anything_else() -> None:
    assert kind_of(Actor(code="FR", kind=ActorKind.STATE, name="France")) == "Actor"
    with pytest.raises(TypeError):
        kind_of(object())


def _actor(code: str, kind: ActorKind, alpha3: str | None) -> Actor:
    return Actor(code=code, kind=kind, name=code, alpha3=alpha3)


def test_a_code_names_an_actor_by_its_own_code_first_then_by_alpha3_states_before_former_states_before_organisations() -> None:
    organisation = _actor("ABC", ActorKind.ORGANISATION, "XYZ")
    former = _actor("XYZW", ActorKind.FORMER_STATE, "XYZ")
    state = _actor("XY", ActorKind.STATE, "XYZ")
    own = _actor("XYZ", ActorKind.ORGANISATION, None)
    everyone = [organisation, former, state, own]
    assert named_by({"XYZ"}, everyone) == {"XYZ": own}
    assert named_by({"XYZ"}, [organisation, former, state]) == {"XYZ": state}
    assert named_by({"XYZ"}, [state, former, organisation][1:]) == {"XYZ": former}
    assert named_by({"XYZ", "XY", "QQ"}, [organisation]) == {"XYZ": organisation}
