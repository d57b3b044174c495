"""Memberships: a spell names an organisation and a state, never overlaps another, ends, and is recorded in the history."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import Conflict, InvalidInput, NotFound
from domain.record.history import ChangeAction
from domain.record.memberships import Membership
from domain.record.values import PartialDate
from domain.use_cases import memberships
from tests.fakes import FakeUnitOfWorkFactory


def spell(**fields: Any) -> Membership:
    defaults: dict[str, Any] = {
        "organisation": "NATO",
        "state": "FIN",
        "joined": PartialDate(2023, 4, 4),
        "source_publisher": "NATO",
        "source_title": "Finland joins NATO as 31st Ally",
    }
    return Membership(**{**defaults, **fields})


async def test_a_spell_is_stored_with_canonical_codes_and_recorded_in_the_history(fake_units: FakeUnitOfWorkFactory) -> None:
    made = await memberships.add_membership(spell(), uow=fake_units())

    assert (made.organisation, made.state, made.version) == ("NATO", "FI", 1)
    [entry] = fake_units.history()
    assert (entry.entity, entry.action, entry.record_id) == ("Membership", ChangeAction.CREATE, made.id)
    assert entry.after is not None
    assert (entry.after["joined"], entry.after["left"]) == ("2023-04-04", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"organisation": "SE"}, "organisation"), ({"state": "EU"}, "state"), ({"organisation": "ZZZZ"}, "organisation")],
)
async def test_a_spell_needs_an_organisation_and_a_state(fake_units: FakeUnitOfWorkFactory, fields: dict[str, Any], field: str) -> None:
    with pytest.raises((InvalidInput, NotFound)) as refused:
        await memberships.add_membership(spell(**fields), uow=fake_units())

    assert isinstance(refused.value, (InvalidInput, NotFound))
    assert refused.value.field == field
    assert fake_units.history() == []


@pytest.mark.parametrize(
    ("joined", "left"),
    [(PartialDate(2024), None), (PartialDate(2000), PartialDate(2023, 4)), (PartialDate(2000), None)],
)
async def test_spells_of_one_state_in_one_organisation_may_not_overlap(
    fake_units: FakeUnitOfWorkFactory, joined: PartialDate, left: PartialDate | None
) -> None:
    await memberships.add_membership(spell(), uow=fake_units())

    with pytest.raises(Conflict):
        await memberships.add_membership(spell(joined=joined, left=left), uow=fake_units())


async def test_a_state_may_leave_and_join_again(fake_units: FakeUnitOfWorkFactory) -> None:
    first = await memberships.add_membership(spell(joined=PartialDate(1990), left=PartialDate(1999, 12)), uow=fake_units())
    again = await memberships.add_membership(spell(joined=PartialDate(2000, 1, 1)), uow=fake_units())

    assert first.id != again.id


async def test_ending_a_spell_sets_its_last_day_and_checks_the_version(fake_units: FakeUnitOfWorkFactory) -> None:
    made = await memberships.add_membership(spell(), uow=fake_units())
    assert made.id is not None

    ended = await memberships.end_membership(made.id, PartialDate(2030), uow=fake_units(), expected_version=1)

    assert (str(ended.left), ended.version) == ("2030", 2)
    with pytest.raises(InvalidInput) as refused:
        await memberships.end_membership(made.id, PartialDate(2020), uow=fake_units(), expected_version=2)
    assert refused.value.field == "left"
    assert [entry.action for entry in fake_units.history()] == [ChangeAction.CREATE, ChangeAction.UPDATE]


def test_a_spell_is_certain_on_a_span_only_when_it_covers_every_day_of_it() -> None:
    britain = spell(organisation="EU", state="GB", joined=PartialDate(1973, 1, 1), left=PartialDate(2020, 1, 31))
    year_2020, january_2020 = PartialDate(2020), PartialDate(2020, 1)

    assert britain.certain_on(PartialDate(2018, 3, 14).start, PartialDate(2018, 3, 14).end)
    assert britain.certain_on(january_2020.start, january_2020.end)
    assert not britain.certain_on(year_2020.start, year_2020.end)
    assert not britain.certain_on(PartialDate(1972, 12, 31).start, PartialDate(1973).end)
