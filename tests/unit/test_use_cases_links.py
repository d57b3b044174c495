"""Every link and unlink between records checks the version it was based on and enters the history as a link or an unlink."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from domain.errors import Conflict, InvalidInput, StaleVersion
from domain.record.history import ChangeAction
from domain.record.memberships import Membership
from domain.record.values import PartialDate
from domain.use_cases import expulsions, memberships, statements
from tests import drafts
from tests.drafts import day
from tests.fakes import FakeUnitOfWorkFactory


@dataclass(frozen=True)
class Link:
    """A use case that adds or removes one id in a record's list of linked ids."""

    name: str
    entity: str
    field: str
    run: Callable[..., Awaitable[Any]]
    adds: bool


LINKS = [
    Link("link_answer", "Expulsion", "answers", expulsions.link_answer, adds=True),
    Link("unlink_answer", "Expulsion", "answers", expulsions.unlink_answer, adds=False),
    Link("add_person", "Expulsion", "diplomat_ids", expulsions.add_person, adds=True),
    Link("remove_person", "Expulsion", "diplomat_ids", expulsions.remove_person, adds=False),
    Link("link_statement", "Statement", "measure_ids", statements.link_statement, adds=True),
    Link("unlink_statement", "Statement", "measure_ids", statements.unlink_statement, adds=False),
]


async def linkable(units: FakeUnitOfWorkFactory, link: Link) -> tuple[int, int, int]:
    """A record, an id it may link to and another already linked; the record is at version 1."""
    if link.field == "answers":
        first = await drafts.stored_measure(units, announced=day("2022-03-01"))
        second = await drafts.stored_measure(units, actor="PL", announced=day("2022-03-02"))
        owner = await drafts.stored_measure(units, actor="RU", target="US", announced=day("2022-03-23"), answers=(first,))
        return owner, second, first
    if link.field == "diplomat_ids":
        named = await drafts.stored_diplomat(units, sending_state="RU")
        other = await drafts.stored_diplomat(units, sending_state="RU")
        return await drafts.stored_measure(units, target="RU", diplomat_ids=(named,)), other, named
    earlier = await drafts.stored_measure(units)
    other = await drafts.stored_measure(units, actor="PL")
    return await drafts.stored_statement(units, measure_ids=(earlier,)), other, earlier


async def stored(units: FakeUnitOfWorkFactory, link: Link, id: int) -> Any:
    async with units() as uow:
        repository = uow.expulsions if link.entity == "Expulsion" else uow.statements
        return await repository.get(id)


async def changed_once(units: FakeUnitOfWorkFactory, link: Link) -> tuple[int, int, int]:
    """The same record moved to version 2 by an edit that keeps its links."""
    owner, free, linked = await linkable(units, link)
    editor = expulsions.expulsions if link.entity == "Expulsion" else statements.statements
    change = {"stated_reason": "edited"} if link.entity == "Expulsion" else {"speaker_name": "edited"}
    await editor.update(owner, change, uow=units())
    return owner, free, linked


@pytest.mark.parametrize("link", LINKS, ids=lambda link: link.name)
async def test_a_link_based_on_the_current_version_is_written_and_recorded_as_a_link(fake_units: FakeUnitOfWorkFactory, link: Link) -> None:
    owner, free, linked = await changed_once(fake_units, link)
    target = free if link.adds else linked
    before = await stored(fake_units, link, owner)
    fake_units.author = "alice"

    result = await link.run(owner, target, uow=fake_units(), expected_version=2)

    expected_ids = (linked, free) if link.adds else ()
    assert getattr(result, link.field) == expected_ids
    assert result.version == 3
    after = await stored(fake_units, link, owner)
    assert getattr(after, link.field) == expected_ids
    assert after.version == 3
    entry = fake_units.history()[-1]
    assert (entry.entity, entry.record_id, entry.action, entry.version, entry.author) == (
        link.entity,
        owner,
        ChangeAction.LINK if link.adds else ChangeAction.UNLINK,
        3,
        "alice",
    )
    assert entry.before is not None
    assert entry.after is not None
    assert entry.before[link.field] == list(getattr(before, link.field))
    assert entry.after[link.field] == list(expected_ids)


@pytest.mark.parametrize("link", LINKS, ids=lambda link: link.name)
@pytest.mark.parametrize("stale", [1, 3])
async def test_a_link_based_on_another_version_is_refused_and_writes_nothing(
    fake_units: FakeUnitOfWorkFactory, link: Link, stale: int
) -> None:
    owner, free, linked = await changed_once(fake_units, link)
    target = free if link.adds else linked
    committed, history = fake_units.committed(), fake_units.history()

    with pytest.raises(StaleVersion) as refused:
        await link.run(owner, target, uow=fake_units(), expected_version=stale)

    assert (refused.value.entity, refused.value.key, refused.value.expected, refused.value.current) == (link.entity, owner, stale, 2)
    assert fake_units.committed() == committed
    assert fake_units.history() == history


@pytest.mark.parametrize("link", LINKS, ids=lambda link: link.name)
async def test_a_link_naming_no_version_is_not_checked_against_one(fake_units: FakeUnitOfWorkFactory, link: Link) -> None:
    owner, free, linked = await changed_once(fake_units, link)

    result = await link.run(owner, free if link.adds else linked, uow=fake_units())

    assert result.version == 3
    assert fake_units.history()[-1].action is (ChangeAction.LINK if link.adds else ChangeAction.UNLINK)


@pytest.mark.parametrize("link", [link for link in LINKS if link.adds], ids=lambda link: link.name)
async def test_linking_what_is_already_linked_is_a_conflict_and_writes_nothing(fake_units: FakeUnitOfWorkFactory, link: Link) -> None:
    owner, _, linked = await linkable(fake_units, link)
    history = fake_units.history()

    with pytest.raises(Conflict):
        await link.run(owner, linked, uow=fake_units(), expected_version=1)

    assert fake_units.history() == history
    assert getattr(await stored(fake_units, link, owner), link.field) == (linked,)


@pytest.mark.parametrize(
    ("link", "field"),
    list(zip([link for link in LINKS if not link.adds], ["answeredId", "diplomatId", "measureId"], strict=True)),
    ids=lambda value: value.name if isinstance(value, Link) else value,
)
async def test_unlinking_what_is_not_linked_is_refused_naming_the_input(fake_units: FakeUnitOfWorkFactory, link: Link, field: str) -> None:
    owner, free, linked = await linkable(fake_units, link)
    history = fake_units.history()

    assert await drafts.field_refused_by(link.run(owner, free, uow=fake_units(), expected_version=1)) == field

    assert fake_units.history() == history
    assert getattr(await stored(fake_units, link, owner), link.field) == (linked,)


async def test_unlinking_one_of_several_keeps_the_others_in_their_order(fake_units: FakeUnitOfWorkFactory) -> None:
    people = [await drafts.stored_diplomat(fake_units, sending_state="RU") for _ in range(4)]
    measure = await drafts.stored_measure(fake_units, target="RU", diplomat_ids=tuple(people))

    remaining = await expulsions.remove_person(measure, people[1], uow=fake_units(), expected_version=1)

    assert remaining.diplomat_ids == (people[0], people[2], people[3])


async def test_a_person_sent_by_another_state_cannot_be_added(fake_units: FakeUnitOfWorkFactory) -> None:
    measure = await drafts.stored_measure(fake_units, target="RU")
    american = await drafts.stored_diplomat(fake_units, sending_state="US")

    assert await drafts.field_refused_by(expulsions.add_person(measure, american, uow=fake_units())) == "diplomatIds"


async def member(units: FakeUnitOfWorkFactory) -> int:
    spell = Membership(organisation="EU", state="GB", joined=PartialDate(1973, 1, 1), source_publisher="EU", source_title="Members")
    return drafts.id_of(await memberships.add_membership(spell, uow=units()))


@pytest.mark.parametrize(
    ("edit", "value", "field"),
    [
        (memberships.end_membership, PartialDate(2020, 1, 31), "left"),
        (memberships.check_membership_source, date(2024, 5, 1), "source_checked"),
    ],
    ids=["end_membership", "check_membership_source"],
)
async def test_a_spells_edit_checks_the_version_and_is_recorded_as_an_update(
    fake_units: FakeUnitOfWorkFactory, edit: Callable[..., Awaitable[Any]], value: object, field: str
) -> None:
    spell = await member(fake_units)
    committed, history = fake_units.committed(), fake_units.history()

    with pytest.raises(StaleVersion) as refused:
        await edit(spell, value, uow=fake_units(), expected_version=2)
    assert (refused.value.expected, refused.value.current) == (2, 1)
    assert (fake_units.committed(), fake_units.history()) == (committed, history)

    edited = await edit(spell, value, uow=fake_units(), expected_version=1)

    assert getattr(edited, field) == value
    assert edited.version == 2
    entry = fake_units.history()[-1]
    assert (entry.entity, entry.record_id, entry.action, entry.version) == ("Membership", spell, ChangeAction.UPDATE, 2)


async def test_a_spell_checked_against_its_source_is_no_longer_unverified(fake_units: FakeUnitOfWorkFactory) -> None:
    spell = await member(fake_units)

    checked = await memberships.check_membership_source(spell, date(2024, 5, 1), uow=fake_units())

    assert not checked.unverified
    with pytest.raises(InvalidInput):
        await memberships.end_membership(spell, PartialDate(1972), uow=fake_units())
