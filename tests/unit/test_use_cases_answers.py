"""Answers form a directed acyclic graph over time: never to itself, never forward, never a cycle."""

from __future__ import annotations

import pytest

from domain.errors import Conflict, InvalidInput
from domain.use_cases import expulsions
from tests import drafts
from tests.drafts import answers_of, day
from tests.fakes import FakeUnitOfWorkFactory


async def three_measures(uow_factory: FakeUnitOfWorkFactory) -> tuple[int, int, int]:
    """Three measures announced the same month, so time never forbids a link between them."""
    us = await drafts.stored_measure(uow_factory, actor="US", target="RU", announced=day("2022-03"))
    ru = await drafts.stored_measure(uow_factory, actor="RU", target="US", announced=day("2022-03"))
    pl = await drafts.stored_measure(uow_factory, actor="PL", target="RU", announced=day("2022-03"))
    return us, ru, pl


async def test_link_answer_records_that_a_measure_answers_an_earlier_one(fake_units: FakeUnitOfWorkFactory) -> None:
    action = await drafts.stored_measure(fake_units, announced=day("2022-03-10"))
    reaction = await drafts.stored_measure(fake_units, actor="RU", target="US", announced=day("2022-03-23"))

    linked = await expulsions.link_answer(reaction, action, uow=fake_units())

    assert linked.answers == (action,)
    async with fake_units() as uow:
        assert await uow.expulsions.answering([action]) == {action: [reaction]}


async def test_a_measure_never_answers_itself(fake_units: FakeUnitOfWorkFactory) -> None:
    measure_id = await drafts.stored_measure(fake_units)

    assert await drafts.field_refused_by(expulsions.link_answer(measure_id, measure_id, uow=fake_units())) == "answers"


async def test_an_answer_never_points_forward_in_time(fake_units: FakeUnitOfWorkFactory) -> None:
    earlier = await drafts.stored_measure(fake_units, announced=day("2022-03-10"))
    later = await drafts.stored_measure(fake_units, actor="RU", target="US", announced=day("2022-03-23"))

    assert await drafts.field_refused_by(expulsions.link_answer(earlier, later, uow=fake_units())) == "answers"
    assert await answers_of(fake_units, earlier) == ()


async def test_a_new_measure_cannot_answer_a_later_one(fake_units: FakeUnitOfWorkFactory) -> None:
    later = await drafts.stored_measure(fake_units, announced=day("2022-04"))

    with pytest.raises(InvalidInput) as refused:
        await expulsions.expulsions.create(
            drafts.measure(actor="RU", target="US", announced=day("2022-03-23"), answers=(later,)), uow=fake_units()
        )

    assert refused.value.field == "answers"


@pytest.mark.parametrize(("reply_on", "action_on"), [("2022-03", "2022-03-23"), ("2022-03-01", "2022-03"), ("2022-03-23", "2022-03-23")])
async def test_an_answer_whose_date_overlaps_the_answered_measure_is_allowed(
    fake_units: FakeUnitOfWorkFactory, reply_on: str, action_on: str
) -> None:
    action = await drafts.stored_measure(fake_units, announced=day(action_on))
    reply = await drafts.stored_measure(fake_units, actor="RU", target="US", announced=day(reply_on))

    await expulsions.link_answer(reply, action, uow=fake_units())

    assert await answers_of(fake_units, reply) == (action,)


async def test_linking_back_to_a_measure_that_answers_this_one_is_refused_as_a_cycle(fake_units: FakeUnitOfWorkFactory) -> None:
    us, ru, _ = await three_measures(fake_units)
    await expulsions.link_answer(ru, us, uow=fake_units())

    with pytest.raises(InvalidInput, match="cycle") as refused:
        await expulsions.link_answer(us, ru, uow=fake_units())

    assert refused.value.field == "answers"
    assert await answers_of(fake_units, us) == ()


async def test_a_longer_cycle_through_other_measures_is_refused(fake_units: FakeUnitOfWorkFactory) -> None:
    us, ru, pl = await three_measures(fake_units)
    await expulsions.link_answer(ru, us, uow=fake_units())
    await expulsions.link_answer(pl, ru, uow=fake_units())

    with pytest.raises(InvalidInput, match="cycle"):
        await expulsions.link_answer(us, pl, uow=fake_units())

    assert await answers_of(fake_units, us) == ()


async def test_two_measures_may_answer_the_same_one_and_one_may_answer_both(fake_units: FakeUnitOfWorkFactory) -> None:
    us, ru, pl = await three_measures(fake_units)
    await expulsions.link_answer(ru, us, uow=fake_units())
    await expulsions.link_answer(pl, us, uow=fake_units())

    await expulsions.link_answer(pl, ru, uow=fake_units())

    assert await answers_of(fake_units, pl) == (us, ru)


async def test_a_cycle_is_refused_when_set_through_an_update_too(fake_units: FakeUnitOfWorkFactory) -> None:
    us, ru, pl = await three_measures(fake_units)
    await expulsions.link_answer(ru, us, uow=fake_units())
    await expulsions.link_answer(pl, ru, uow=fake_units())

    with pytest.raises(InvalidInput, match="cycle"):
        await expulsions.expulsions.update(us, {"answers": (pl,)}, uow=fake_units())


async def test_linking_the_same_answer_twice_is_a_conflict(fake_units: FakeUnitOfWorkFactory) -> None:
    us, ru, _ = await three_measures(fake_units)
    await expulsions.link_answer(ru, us, uow=fake_units())

    with pytest.raises(Conflict):
        await expulsions.link_answer(ru, us, uow=fake_units())


async def test_linking_to_an_unknown_measure_is_not_found(fake_units: FakeUnitOfWorkFactory) -> None:
    us, _, _ = await three_measures(fake_units)

    missing = await drafts.not_found_by(expulsions.link_answer(us, 999, uow=fake_units()))

    assert (missing.key, missing.field) == (999, "answers")


async def test_linking_from_an_unknown_measure_is_not_found_naming_the_id(fake_units: FakeUnitOfWorkFactory) -> None:
    us, _, _ = await three_measures(fake_units)

    missing = await drafts.not_found_by(expulsions.link_answer(999, us, uow=fake_units()))

    assert missing.field == "id"


async def test_unlink_answer_removes_only_that_link(fake_units: FakeUnitOfWorkFactory) -> None:
    us, ru, pl = await three_measures(fake_units)
    await expulsions.link_answer(pl, us, uow=fake_units())
    await expulsions.link_answer(pl, ru, uow=fake_units())

    unlinked = await expulsions.unlink_answer(pl, us, uow=fake_units())

    assert unlinked.answers == (ru,)
    assert await answers_of(fake_units, pl) == (ru,)


async def test_unlinking_an_answer_that_is_not_there_is_invalid_input(fake_units: FakeUnitOfWorkFactory) -> None:
    us, ru, _ = await three_measures(fake_units)

    assert await drafts.field_refused_by(expulsions.unlink_answer(ru, us, uow=fake_units())) == "answeredId"


@pytest.mark.parametrize(
    ("moved", "to"), [("answer", "2022-02"), ("answered", "2022-04-01")], ids=["an answer before its measure", "a measure after its answer"]
)
async def test_moving_an_answer_and_its_measure_out_of_order_is_refused(fake_units: FakeUnitOfWorkFactory, moved: str, to: str) -> None:
    action = await drafts.stored_measure(fake_units, announced=day("2022-03-10"))
    reply = await drafts.stored_measure(fake_units, actor="RU", target="US", announced=day("2022-03-23"), answers=(action,))

    changed = reply if moved == "answer" else action
    assert await drafts.field_refused_by(expulsions.expulsions.update(changed, {"announced": day(to)}, uow=fake_units())) == "answers"


async def test_moving_an_answered_measure_within_the_answers_month_is_allowed(fake_units: FakeUnitOfWorkFactory) -> None:
    action = await drafts.stored_measure(fake_units, announced=day("2022-03-10"))
    await drafts.stored_measure(fake_units, actor="RU", target="US", announced=day("2022-03"), answers=(action,))

    moved = await expulsions.expulsions.update(action, {"announced": day("2022-03-30")}, uow=fake_units())

    assert moved.announced == day("2022-03-30")
