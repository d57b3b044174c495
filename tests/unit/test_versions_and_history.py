"""Versions, the history, restoring a deletion, documents and tokens, against the in-memory fakes."""

from __future__ import annotations

import dataclasses

import pytest

from domain.access import Principal, Role, digest, role_named
from domain.errors import Conflict, InvalidInput, NotFound, StaleVersion, Unauthenticated
from domain.record.actors import Actor
from domain.record.diplomats import Diplomat
from domain.record.documents import changed_fields, from_document, to_document
from domain.record.expulsions import Expulsion, Wave
from domain.record.history import ChangeAction
from domain.record.kinds import KINDS
from domain.record.memberships import Membership
from domain.record.missions import Mission
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from domain.use_cases import expulsions, statements, tokens
from domain.use_cases import history as history_use_cases
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


async def test_a_new_record_is_at_version_one_and_every_change_raises_it_by_one(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)
    first = await expulsions.expulsions.update(measure_id, {"stated_reason": "a"}, uow=fake_units(), expected_version=1)
    second = await expulsions.expulsions.update(measure_id, {"stated_reason": "b"}, uow=fake_units())
    assert (first.version, second.version) == (2, 3)


async def test_an_edit_naming_an_old_version_is_refused_with_the_current_one_and_writes_nothing(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)
    await expulsions.expulsions.update(measure_id, {"stated_reason": "first"}, uow=fake_units(), expected_version=1)
    before, history = fake_units.committed(), fake_units.history()

    with pytest.raises(StaleVersion) as refused:
        await expulsions.expulsions.update(measure_id, {"stated_reason": "lost"}, uow=fake_units(), expected_version=1)
    with pytest.raises(StaleVersion):
        await expulsions.expulsions.delete(measure_id, uow=fake_units(), expected_version=1)

    assert (refused.value.expected, refused.value.current, refused.value.entity) == (1, 2, "Expulsion")
    assert fake_units.committed() == before
    assert fake_units.history() == history


async def test_the_history_keeps_who_did_what_with_the_values_before_and_after(fake_units: FakeUnitOfWorkFactory) -> None:
    fake_units.author = "alice"
    measure_id = await drafts.stored_measure(fake_units, headcount=Headcount.unknown())
    await expulsions.expulsions.update(measure_id, {"headcount": Headcount.exactly(4)}, uow=fake_units())
    await expulsions.expulsions.delete(measure_id, uow=fake_units())

    entries = [e for e in fake_units.history() if e.entity == "Expulsion" and e.record_id == measure_id]
    assert [(e.action, e.version, e.author) for e in entries] == [
        (ChangeAction.CREATE, 1, "alice"),
        (ChangeAction.UPDATE, 2, "alice"),
        (ChangeAction.DELETE, 2, "alice"),
    ]
    assert entries[0].before is None
    assert entries[1].before is not None
    assert entries[1].after is not None
    assert entries[1].before["headcount"] == {"qualifier": "unknown", "value": None}
    assert entries[1].after["headcount"] == {"qualifier": "exact", "value": 4}
    assert changed_fields(entries[1].before, entries[1].after) == ["headcount"]
    assert entries[2].after is None
    assert entries[2].before == entries[1].after


async def test_a_deleted_record_is_restored_with_its_id_and_values_and_only_once(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units, stated_reason="kept")
    async with fake_units() as uow:
        stored = await uow.expulsions.get(measure_id)
    assert stored is not None
    await expulsions.expulsions.delete(measure_id, uow=fake_units())
    deletion = fake_units.history()[-1]
    assert deletion.id is not None

    kind, restored = await history_use_cases.restore(deletion.id, uow=fake_units())

    assert kind == "Expulsion"
    assert restored == dataclasses.replace(stored, version=2)
    assert fake_units.history()[-1].action is ChangeAction.RESTORE
    with pytest.raises(Conflict):
        await history_use_cases.restore(deletion.id, uow=fake_units())
    creation = next(e for e in fake_units.history() if e.action is ChangeAction.CREATE and e.record_id == measure_id)
    assert creation.id is not None
    with pytest.raises(InvalidInput) as not_a_deletion:
        await history_use_cases.restore(creation.id, uow=fake_units())
    assert not_a_deletion.value.field == "entryId"
    with pytest.raises(NotFound):
        await history_use_cases.restore(10_000, uow=fake_units())


async def test_deleting_a_measure_records_the_citations_and_statement_links_that_go_with_it(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)
    source = await statements.sources.create(drafts.source(), uow=fake_units())
    citation = await statements.citations.create(Citation(source_id=drafts.id_of(source), measure_id=measure_id), uow=fake_units())
    statement = await statements.statements.create(drafts.statement(measure_ids=(measure_id,)), uow=fake_units())

    await expulsions.expulsions.delete(measure_id, uow=fake_units())

    actions = [(e.entity, e.action) for e in fake_units.history()[-3:]]
    assert actions == [("Statement", ChangeAction.UNLINK), ("Citation", ChangeAction.DELETE), ("Expulsion", ChangeAction.DELETE)]
    async with fake_units() as uow:
        unlinked = await uow.statements.get(drafts.id_of(statement))
        assert await uow.citations.get(drafts.id_of(citation)) is None
    assert unlinked is not None
    assert unlinked.measure_ids == ()
    assert unlinked.version == 2


@pytest.mark.parametrize("kind", list(KINDS))
async def test_every_kind_of_record_survives_a_trip_through_its_document(fake_units: FakeUnitOfWorkFactory, kind: str) -> None:
    samples: dict[str, Actor | Mission | Diplomat | Wave | Expulsion | Source | Statement | Citation | Membership] = {
        "Actor": drafts.organisation(),
        "Mission": drafts.mission(),
        "Diplomat": drafts.diplomat(),
        "Wave": drafts.wave(),
        "Expulsion": drafts.measure(answers=(3, 1), diplomat_ids=(2,), headcount=Headcount(HeadcountQualifier.AT_LEAST, 5)),
        "Source": drafts.source(),
        "Statement": drafts.statement(measure_ids=(4,)),
        "Citation": Citation(source_id=1, statement_id=2, excerpt="said"),
        "Membership": Membership(
            organisation="EU",
            state="GB",
            joined=PartialDate(1973, 1, 1),
            left=PartialDate(2020, 1, 31),
            source_publisher="EU",
            source_title="T",
        ),
    }
    record = dataclasses.replace(samples[kind], id=7)
    document = to_document(record)
    assert "version" not in document
    assert from_document(kind, document) == record


def test_a_document_that_breaks_a_rule_is_refused_naming_the_field() -> None:
    document = to_document(dataclasses.replace(drafts.measure(), id=1))
    with pytest.raises(InvalidInput) as bad_enum:
        from_document("Expulsion", {**document, "measure_type": "deportation"})
    with pytest.raises(InvalidInput) as bad_date:
        from_document("Expulsion", {**document, "announced": "2022-13"})
    with pytest.raises(InvalidInput) as unknown:
        from_document("Expulsion", {**document, "colour": "red"})
    with pytest.raises(InvalidInput) as missing:
        from_document("Expulsion", {k: v for k, v in document.items() if k != "actor"})
    with pytest.raises(InvalidInput) as bad_kind:
        from_document("Treaty", document)
    assert [e.value.field for e in (bad_enum, bad_date, unknown, missing, bad_kind)] == [
        "measure_type",
        "announced",
        "colour",
        "actor",
        "type",
    ]


async def test_a_token_authenticates_until_it_is_revoked_and_only_its_digest_is_stored(fake_units: FakeUnitOfWorkFactory) -> None:
    token, secret = await tokens.issue_token("alice", Role.EDITOR, uow=fake_units(), created_by="cli")
    assert token.digest == digest(secret)
    assert secret not in repr(fake_units.tables.rows["tokens"])
    async with fake_units.reader() as uow:
        assert await tokens.authenticate(secret, tokens=uow.tokens) == Principal("alice", Role.EDITOR)
    with pytest.raises(Conflict):
        await tokens.issue_token("alice", Role.ADMIN, uow=fake_units(), created_by="cli")

    revoked = await tokens.revoke_token("alice", uow=fake_units())

    assert revoked.revoked_at is not None
    for presented in (secret, secret + "x", "dmr_short", "", "Bearer " + secret):
        async with fake_units.reader() as uow:
            with pytest.raises(Unauthenticated):
                await tokens.authenticate(presented, tokens=uow.tokens)
    with pytest.raises(NotFound):
        await tokens.revoke_token("nobody", uow=fake_units())
    for reserved in ("demarche", "CLI", "import"):
        with pytest.raises(InvalidInput) as taken:
            await tokens.issue_token(reserved, Role.ADMIN, uow=fake_units(), created_by="cli")
        assert taken.value.field == "name"


def test_each_role_may_do_what_the_roles_before_it_may() -> None:
    assert Role.ADMIN.allows(Role.EDITOR)
    assert Role.EDITOR.allows(Role.READER)
    assert not Role.EDITOR.allows(Role.ADMIN)
    assert not Role.READER.allows(Role.EDITOR)
    assert role_named("role", "Admin") is Role.ADMIN
    with pytest.raises(InvalidInput):
        role_named("role", "owner")
