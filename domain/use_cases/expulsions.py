"""Use cases for measures, their answer links and their waves."""

from __future__ import annotations

import dataclasses

from domain.errors import Checks, Code, Conflict
from domain.ports import UnitOfWork
from domain.record.expulsions import Expulsion, Wave
from domain.record.history import ChangeAction
from domain.use_cases import links, references
from domain.use_cases.editing import AggregateEditor
from domain.use_cases.statements import citations, statements


async def _check_answers(measure: Expulsion, uow: UnitOfWork) -> None:
    answered = await references.records(uow.expulsions, "Expulsion", "answers", measure.answers)
    found = Checks()
    for earlier in answered.values():
        with found.rule():
            measure.may_answer(earlier)
    if measure.id is not None:
        if measure.id in await uow.expulsions.answered_transitively(measure.answers):
            found.add(
                "answers",
                Code.ANSWER_CYCLE,
                "this link would close a cycle: the answered measure already answers this one, directly or through others",
            )
        answering = (await uow.expulsions.answering([measure.id])).get(measure.id, [])
        for later in (await uow.expulsions.get_many(answering)).values():
            with found.rule():
                later.may_answer(measure)
    found.done()


async def _check_measure(measure: Expulsion, uow: UnitOfWork) -> Expulsion:
    found = Checks()
    actor, target, target_known = measure.actor, measure.target, False
    with found.rule():
        actor = (await references.actor(uow, "actor", measure.actor)).code
    with found.rule():
        target, target_known = (await references.actor(uow, "target", measure.target, states_only=True)).code, True
    canonical = dataclasses.replace(measure, actor=actor, target=target)
    if measure.target_mission_id is not None:
        with found.rule():
            mission = await references.record(uow.missions, "Mission", "targetMissionId", measure.target_mission_id)
            if target_known:
                canonical.may_target(mission)
    with found.rule():
        people = await references.records(uow.diplomats, "Diplomat", "diplomatIds", measure.diplomat_ids)
        for person in people.values() if target_known else ():
            with found.rule():
                canonical.may_name(person)
    if measure.wave_id is not None:
        with found.rule():
            await references.record(uow.waves, "Wave", "waveId", measure.wave_id)
    with found.rule():
        await _check_answers(canonical, uow)
    found.done()
    return canonical


async def _refuse_if_answered(id: int, uow: UnitOfWork) -> None:
    """Refuse to delete a measure others answer; else unlink its statements and delete its citations, each in the history."""
    answering = (await uow.expulsions.answering([id])).get(id, [])
    if answering:
        raise Conflict(f"measure {id} is answered by measures {sorted(answering)}; unlink those answers first", code=Code.STILL_REFERENCED)
    for statement in (await uow.statements.about_measures([id])).get(id, []):
        unlinked = links.removing("measure_ids", id, "measure", "measureId")(statement)
        await statements.revise_within(statement, unlinked, uow, ChangeAction.UNLINK)
    for citation in (await uow.citations.of_measures([id])).get(id, []):
        await citations.delete_within(citation, uow)


expulsions = AggregateEditor[Expulsion]("Expulsion", lambda uow: uow.expulsions, _check_measure, _refuse_if_answered)


async def _check_wave(wave: Wave, uow: UnitOfWork) -> Wave:
    return wave


waves = AggregateEditor[Wave]("Wave", lambda uow: uow.waves, _check_wave)


async def link_answer(measure_id: int, answered_id: int, *, uow: UnitOfWork, expected_version: int | None = None) -> Expulsion:
    """Record that one measure answers an earlier one."""
    return await expulsions.revise(
        measure_id,
        links.adding("answers", answered_id, "answered measure"),
        uow=uow,
        expected_version=expected_version,
        action=ChangeAction.LINK,
    )


async def unlink_answer(measure_id: int, answered_id: int, *, uow: UnitOfWork, expected_version: int | None = None) -> Expulsion:
    """Remove the record that one measure answers another."""
    return await expulsions.revise(
        measure_id,
        links.removing("answers", answered_id, "answered measure", "answeredId"),
        uow=uow,
        expected_version=expected_version,
        action=ChangeAction.UNLINK,
    )


async def add_person(measure_id: int, diplomat_id: int, *, uow: UnitOfWork, expected_version: int | None = None) -> Expulsion:
    """Name a person among those a measure concerns."""
    return await expulsions.revise(
        measure_id,
        links.adding("diplomat_ids", diplomat_id, "diplomat"),
        uow=uow,
        expected_version=expected_version,
        action=ChangeAction.LINK,
    )


async def remove_person(measure_id: int, diplomat_id: int, *, uow: UnitOfWork, expected_version: int | None = None) -> Expulsion:
    """Take a person off a measure's named people."""
    return await expulsions.revise(
        measure_id,
        links.removing("diplomat_ids", diplomat_id, "diplomat", "diplomatId"),
        uow=uow,
        expected_version=expected_version,
        action=ChangeAction.UNLINK,
    )
