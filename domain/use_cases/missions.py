"""Use cases for missions and the people who serve at them."""

from __future__ import annotations

import dataclasses

from domain.errors import Checks, Code, InvalidInput
from domain.ports import UnitOfWork
from domain.read.filters import DiplomatFilter, ExpulsionFilter
from domain.read.pagination import PageRequest
from domain.record.diplomats import Diplomat
from domain.record.missions import Mission
from domain.use_cases import references
from domain.use_cases.editing import AggregateEditor


async def _check_mission(mission: Mission, uow: UnitOfWork) -> Mission:
    found = Checks()
    sending, host, accredited_to = mission.sending_state, mission.host_state, mission.accredited_to
    with found.rule():
        sending = (await references.actor(uow, "sendingState", mission.sending_state, states_only=True)).code
        if mission.id is not None:
            await _refuse_orphans(mission.id, sending, uow)
    with found.rule():
        host = (await references.actor(uow, "hostState", mission.host_state, states_only=True)).code
    if mission.accredited_to is not None:
        with found.rule():
            accredited_to = (await references.actor(uow, "accreditedTo", mission.accredited_to)).code
    found.done()
    return dataclasses.replace(mission, sending_state=sending, host_state=host, accredited_to=accredited_to)


async def _refuse_orphans(mission_id: int, sending_state: str, uow: UnitOfWork) -> None:
    """A mission keeps the sending state of the people who serve there and of the measures aimed at it."""
    first = PageRequest(first=1)
    serving = await uow.diplomats.list(DiplomatFilter(mission_id=mission_id), first)
    if serving.items and serving.items[0].sending_state != sending_state:
        raise InvalidInput(
            "sendingState", f"people sent by {serving.items[0].sending_state} serve at mission {mission_id}", Code.STATE_MISMATCH
        )
    aimed = await uow.expulsions.list(ExpulsionFilter(target_mission_id=mission_id), first)
    if aimed.items and aimed.items[0].target != sending_state:
        raise InvalidInput(
            "sendingState", f"measure {aimed.items[0].id} targets this mission as {aimed.items[0].target}'s", Code.STATE_MISMATCH
        )


async def _check_diplomat(diplomat: Diplomat, uow: UnitOfWork) -> Diplomat:
    found = Checks()
    sending = await references.actor(uow, "sendingState", diplomat.sending_state, states_only=True)
    canonical = dataclasses.replace(diplomat, sending_state=sending.code)
    if diplomat.mission_id is not None:
        with found.rule():
            canonical.may_serve_at(await references.record(uow.missions, "Mission", "missionId", diplomat.mission_id))
    if diplomat.id is not None:
        named = await uow.expulsions.list(ExpulsionFilter(names_diplomat=diplomat.id), PageRequest(first=1))
        if named.items and named.items[0].target != sending.code:
            found.add(
                "sendingState", Code.STATE_MISMATCH, f"measure {named.items[0].id} names this person as sent by {named.items[0].target}"
            )
    found.done()
    return canonical


missions = AggregateEditor[Mission]("Mission", lambda uow: uow.missions, _check_mission)
diplomats = AggregateEditor[Diplomat]("Diplomat", lambda uow: uow.diplomats, _check_diplomat)
