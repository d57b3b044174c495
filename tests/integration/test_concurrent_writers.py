"""PostgreSQL's writers run side by side: unrelated writes never wait for each other, the history is read up to a safe
horizon so that an entry committed late below one already read is never skipped, and edits that do collide still
collide (the same record, an answer cycle, a state deleted under a new measure, overlapping spells)."""

from __future__ import annotations

import asyncio
import time

import pytest

from api.graphql.errors import CONTENDED_ATTEMPTS, outcome
from api.live.hub import HistoryHub
from domain.errors import Conflict, Contended, InvalidInput, NotFound, StaleVersion
from domain.read.pagination import PageRequest
from domain.record.history import ChangeAction, HistoryFilter
from domain.record.memberships import Membership
from domain.record.values import PartialDate
from domain.use_cases import actors, memberships
from domain.use_cases.expulsions import ANSWER_LINKS, expulsions, link_answer, waves
from persistence.live.changes import ChangeSignal
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts

PATIENCE = 20
WAITED = 0.4
"""Seconds a writer that must wait is given to show that it does."""


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def _entries(uow_factory: SqlUnitOfWorkFactory, after: int = 0) -> list[int]:
    async with uow_factory.reader() as uow:
        return [change.id or 0 for change in await uow.history.since(after, 1000)]


async def _horizon(uow_factory: SqlUnitOfWorkFactory) -> int:
    async with uow_factory.reader() as uow:
        return await uow.history.last_id()


async def test_a_writer_commits_while_another_holds_its_transaction_open(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as held:
        await waves.add(drafts.wave("held open"), held)
        began = time.monotonic()
        other = await asyncio.wait_for(waves.create(drafts.wave("committed beside it"), uow=uow_factory()), timeout=PATIENCE)
        took = time.monotonic() - began
        await held.commit()
    assert other.id is not None
    assert took < 1.0, f"an unrelated writer waited {took:.2f} s for an open one"


async def test_an_entry_committed_after_a_later_one_is_never_read_past(uow_factory: SqlUnitOfWorkFactory) -> None:
    start = await _horizon(uow_factory)
    async with uow_factory() as slow:
        await waves.add(drafts.wave("drew the lower id"), slow)
        lower = slow.history.appended
        fast = await waves.create(drafts.wave("drew the higher id, committed first"), uow=uow_factory())
        async with uow_factory.reader() as uow:
            higher = (await uow.history.list(HistoryFilter(entity="Wave", record_id=fast.id), PageRequest(first=1))).items
        assert higher == []  # committed, but behind an open writer's entry: not shown yet
        assert await _entries(uow_factory, start) == []
        assert await _horizon(uow_factory) == start
        await slow.commit()
    assert lower is not None
    read = await _entries(uow_factory, start)
    assert read[0] == lower
    assert len(read) == 2
    assert read == sorted(read)
    assert await _horizon(uow_factory) == read[-1]


async def test_two_edits_of_one_record_take_turns_and_a_stale_version_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    wave = await waves.create(drafts.wave(), uow=uow_factory())
    assert wave.id is not None
    both = await asyncio.gather(
        waves.update(wave.id, {"description": "first"}, uow=uow_factory()),
        waves.update(wave.id, {"description": "second"}, uow=uow_factory()),
    )
    assert sorted(edited.version for edited in both) == [2, 3]  # neither edit lost
    named = await asyncio.gather(
        *(waves.update(wave.id, {"description": f"from version 3, {n}"}, uow=uow_factory(), expected_version=3) for n in range(2)),
        return_exceptions=True,
    )
    assert sorted(type(outcome).__name__ for outcome in named) == ["StaleVersion", "Wave"]
    stale = next(outcome for outcome in named if isinstance(outcome, StaleVersion))
    assert (stale.expected, stale.current) == (3, 4)


async def test_a_link_closing_a_cycle_waits_for_the_open_one_and_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    first = await expulsions.create(drafts.measure(), uow=uow_factory())
    second = await expulsions.create(drafts.measure(actor="RU", target="US"), uow=uow_factory())
    assert first.id is not None
    assert second.id is not None
    async with uow_factory() as linking:
        await linking.exclusive(ANSWER_LINKS)
        held = await linking.expulsions.claim(first.id)
        assert held is not None
        await expulsions.revise_within(held, {"answers": (second.id,)}, linking, ChangeAction.LINK)
        closing = asyncio.create_task(link_answer(second.id, first.id, uow=uow_factory()))
        await asyncio.sleep(WAITED)
        assert not closing.done()
        await linking.commit()
    with pytest.raises(InvalidInput, match="cycle"):
        await asyncio.wait_for(closing, timeout=PATIENCE)


async def test_a_measure_naming_a_state_deleted_meanwhile_is_refused(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.reader() as uow:
        tuvalu = (await uow.actors.get_by_codes(["TV"]))["TV"]
    assert tuvalu.id is not None
    async with uow_factory() as deleting:
        held = await deleting.actors.claim(tuvalu.id)
        assert held is not None
        await actors.editor.delete_within(held, deleting)
        naming = asyncio.create_task(expulsions.create(drafts.measure(actor="TV", target="RU"), uow=uow_factory()))
        await asyncio.sleep(WAITED)
        assert not naming.done()
        await deleting.commit()
    with pytest.raises(NotFound):
        await asyncio.wait_for(naming, timeout=PATIENCE)


async def test_a_state_is_not_deleted_under_a_measure_naming_it(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.reader() as uow:
        tuvalu = (await uow.actors.get_by_codes(["TV"]))["TV"]
    assert tuvalu.id is not None
    async with uow_factory() as naming:
        await expulsions.add(drafts.measure(actor="TV", target="RU"), naming)
        deleting = asyncio.create_task(actors.delete_actor(tuvalu.id, uow=uow_factory()))
        await asyncio.sleep(WAITED)
        assert not deleting.done()
        await naming.commit()
    with pytest.raises(Conflict):
        await asyncio.wait_for(deleting, timeout=PATIENCE)


async def test_two_overlapping_spells_written_at_once_let_one_through(uow_factory: SqlUnitOfWorkFactory) -> None:
    def spell(title: str) -> Membership:
        return Membership(
            organisation="EU", state="NOR", joined=PartialDate(2031, 1), source_publisher="Desk", source_title=title, source_url=None
        )

    async with uow_factory() as first:
        await memberships.editor.add(spell("first"), first)
        second = asyncio.create_task(memberships.add_membership(spell("second"), uow=uow_factory()))
        await asyncio.sleep(WAITED)
        assert not second.done()
        await first.commit()
    with pytest.raises(Conflict, match="member"):
        await asyncio.wait_for(second, timeout=PATIENCE)


async def test_the_live_history_hands_out_an_entry_once_the_transaction_holding_it_back_rolls_back_silently(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    signal = ChangeSignal()
    factory = SqlUnitOfWorkFactory(uow_factory.engine, signal=signal)
    hub = HistoryHub(factory, signal, queue=10)
    await hub.start()
    entries = hub.entries(None)
    try:
        taking = asyncio.ensure_future(anext(entries))
        async with factory() as silent:
            await waves.add(drafts.wave("rolled back"), silent)  # an entry below the next, then no commit and no notice
            await waves.create(drafts.wave("committed behind it"), uow=factory())
            await asyncio.sleep(WAITED)
            assert not taking.done()
        change = await asyncio.wait_for(taking, timeout=5)  # no later write or notice wakes the hub: it looks again
        assert (change.after or {})["name"] == "committed behind it"
    finally:
        await entries.aclose()
        await hub.stop()


async def test_two_writers_each_holding_what_the_other_reads_are_parted_as_contended(uow_factory: SqlUnitOfWorkFactory) -> None:
    first = await waves.create(drafts.wave("one"), uow=uow_factory())
    second = await waves.create(drafts.wave("two"), uow=uow_factory())
    assert first.id is not None
    assert second.id is not None
    both = asyncio.Barrier(2)

    async def crossing(mine: int, theirs: int) -> None:
        async with uow_factory() as uow:
            await uow.waves.claim(mine)
            await both.wait()
            await uow.waves.get_many([theirs])  # each waits for the other's claim: PostgreSQL undoes one
            await uow.commit()

    outcomes = await asyncio.wait_for(
        asyncio.gather(crossing(first.id, second.id), crossing(second.id, first.id), return_exceptions=True), timeout=PATIENCE
    )
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Contended", "NoneType"]


async def test_a_mutation_the_store_undid_as_contended_runs_again() -> None:
    tries: list[int] = []

    async def flaky() -> str:
        tries.append(1)
        if len(tries) < CONTENDED_ATTEMPTS:
            raise Contended("undone")
        return "stored"

    assert await outcome(flaky) == "stored"
    assert len(tries) == CONTENDED_ATTEMPTS
