"""Updating and deleting stored records of every aggregate, links included."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from domain.read.filters import CitationFilter, NoFilter
from domain.record.actors import Actor, ActorKind
from domain.record.diplomats import Rank, StaffCategory
from domain.record.expulsions import Expulsion
from domain.record.missions import MissionKind
from domain.record.sources import SourceKind
from domain.record.statements import Channel, Stance
from domain.record.values import Headcount, HeadcountQualifier, PartialDate
from tests.conftest import contract
from tests.integration import drafts
from tests.integration.conftest import Store
from tests.scenarios import repository

pytestmark = contract

Edit = tuple[Any, dict[str, Any]]
"""A draft to store, and changes to every one of its editable fields."""


async def organisation(store: Store) -> Edit:
    draft = Actor(code="ASEAN", kind=ActorKind.ORGANISATION, name="ASEAN", official_name="Association of Southeast Asian Nations")
    return draft, {"code": "SCO", "name": "Shanghai Cooperation Organisation", "official_name": None}


async def mission(store: Store) -> Edit:
    return drafts.mission(), {
        "host_state": "PL",
        "kind": MissionKind.PERMANENT_MISSION,
        "accredited_to": "OSCE",
        "city": "Vienna",
        "name": "Permanent Mission to the OSCE",
    }


async def diplomat(store: Store) -> Edit:
    post = await store.add(drafts.mission())
    changes = {"name": "Anna Ivanova", "rank": Rank.COUNSELLOR, "mission_id": post.id, "staff_category": StaffCategory.CONSULAR}
    return drafts.diplomat(), changes


async def wave(store: Store) -> Edit:
    return drafts.wave(), {"name": "Bucha wave", "description": "EU states acting together in April 2022."}


async def measure(store: Store) -> Edit:
    first, second, third = await store.add_all(drafts.diplomat(), drafts.diplomat(), drafts.diplomat())
    old, new = await store.add_all(drafts.measure(actor="PL"), drafts.measure(actor="DE"))
    draft = drafts.measure(answers=(old.id or 0,), diplomat_ids=(first.id or 0, second.id or 0))
    changes = {
        "headcount": Headcount.unknown(),
        "announced": PartialDate(2022, 4),
        "deadline": PartialDate(2022, 4, 30),
        "stated_reason": "Revised after the official note.",
        "answers": (new.id or 0,),
        "diplomat_ids": (third.id or 0,),
    }
    return draft, changes


async def statement(store: Store) -> Edit:
    first, second = await store.add_all(drafts.measure(), drafts.measure(actor="PL"))
    changes = {
        "on_behalf_of": "RU",
        "stance": Stance.DENIES,
        "channel": Channel.SPEECH,
        "speaker_name": "Maria Zakharova",
        "said_on": PartialDate(2022),
        "translation": "Lies.",
        "translation_language": "en",
        "quote": "Ложь.",
        "quote_language": "ru",
        "measure_ids": (second.id or 0,),
    }
    return drafts.statement(measure_ids=(first.id or 0,)), changes


async def source(store: Store) -> Edit:
    changes = {
        "publisher": "TASS",
        "title": "Moscow responds",
        "kind": SourceKind.STATE_MEDIA,
        "url": "https://tass.com/1",
        "published": PartialDate(2022, 3, 24),
    }
    return drafts.source(), changes


async def citation(store: Store) -> Edit:
    first, second = await store.add_all(drafts.measure(), drafts.measure(actor="PL"))
    reuters, tass = await store.add_all(drafts.source(), drafts.source(publisher="TASS"))
    changes = {
        "source_id": tass.id,
        "measure_id": second.id,
        "excerpt": "about ten",
        "reported_headcount": Headcount(HeadcountQualifier.APPROXIMATE, 10),
    }
    return drafts.citation(source_id=reuters.id, measure_id=first.id), changes


EDITS: list[Callable[[Store], Awaitable[Edit]]] = [organisation, mission, diplomat, wave, measure, statement, source, citation]


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
async def test_update_replaces_every_field_and_reads_back(store: Store, edit: Callable[[Store], Awaitable[Edit]]) -> None:
    draft, changes = await edit(store)
    stored = await store.add(draft)
    revised = dataclasses.replace(stored, **changes)
    assert revised != stored
    assert stored.version == 1
    updated = await store.update(revised)
    assert updated == dataclasses.replace(revised, version=2)
    assert await store.get(type(draft), stored.id) == updated


@pytest.mark.parametrize("edit", EDITS, ids=lambda edit: edit.__name__)
async def test_deleted_record_is_gone_and_its_neighbour_stays(store: Store, edit: Callable[[Store], Awaitable[Edit]]) -> None:
    draft, changes = await edit(store)
    kept, doomed = await store.add_all(draft, dataclasses.replace(draft, **changes))
    async with store.uow_factory() as uow:
        await repository(uow, type(draft)).delete(doomed.id)
        await uow.commit()
    assert await store.get(type(draft), doomed.id) is None
    assert await store.get(type(draft), kept.id) == kept


async def test_update_can_clear_every_link_of_a_measure(store: Store) -> None:
    earlier, person = await store.add(drafts.measure(actor="PL")), await store.add(drafts.diplomat())
    stored = await store.add(drafts.measure(answers=(earlier.id or 0,), diplomat_ids=(person.id or 0,)))
    cleared = await store.update(dataclasses.replace(stored, answers=(), diplomat_ids=()))
    assert await store.get(Expulsion, stored.id or 0) == cleared
    assert (cleared.answers, cleared.diplomat_ids) == ((), ())


async def test_update_of_one_measures_links_leaves_other_measures_links_alone(store: Store) -> None:
    earlier = await store.add(drafts.measure(actor="PL"))
    first, second = await store.add_all(drafts.measure(answers=(earlier.id or 0,)), drafts.measure(actor="DE", answers=(earlier.id or 0,)))
    await store.update(dataclasses.replace(first, answers=()))
    assert await store.get(Expulsion, second.id or 0) == second


async def test_deleting_a_statement_removes_its_citations_and_links_but_keeps_its_measures(store: Store) -> None:
    about = await store.add(drafts.measure())
    said = await store.add(drafts.statement(measure_ids=(about.id or 0,)))
    origin = await store.add(drafts.source())
    await store.add(drafts.citation(source_id=origin.id, statement_id=said.id))
    async with store.uow_factory() as uow:
        await uow.statements.delete(said.id or 0)
        await uow.commit()
    async with store.uow_factory.reader() as uow:
        assert await uow.statements.get(said.id or 0) is None
        assert await uow.citations.count(CitationFilter(statement_id=said.id)) == 0
        assert await uow.citations.count(NoFilter()) == 0
        assert await uow.sources.get(origin.id or 0) == origin
    assert await store.get(Expulsion, about.id or 0) == about


async def test_deleting_a_measure_removes_its_citations_and_its_statements_links_but_keeps_the_statements(store: Store) -> None:
    about, other = await store.add(drafts.measure()), await store.add(drafts.measure(actor="RU", target="US"))
    said = await store.add(drafts.statement(measure_ids=(about.id or 0, other.id or 0)))
    origin = await store.add(drafts.source())
    await store.add(drafts.citation(source_id=origin.id, measure_id=about.id))
    async with store.uow_factory() as uow:
        await uow.expulsions.delete(about.id or 0)
        await uow.commit()
    async with store.uow_factory.reader() as uow:
        assert await uow.expulsions.get(about.id or 0) is None
        assert await uow.citations.count(NoFilter()) == 0
        kept = await uow.statements.get(said.id or 0)
    assert kept is not None
    assert kept.measure_ids == (other.id,)
