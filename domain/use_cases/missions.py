"""Use cases for missions and the people who serve at them."""

from __future__ import annotations

import dataclasses

from domain.errors import InvalidInput
from domain.missions import Mission
from domain.people import Diplomat
from domain.ports import UnitOfWork
from domain.use_cases import references
from domain.use_cases.editing import AggregateEditor


async def _check_mission(mission: Mission, uow: UnitOfWork) -> Mission:
    sending = await references.actor(uow, "sendingState", mission.sending_state, states_only=True)
    host = await references.actor(uow, "hostState", mission.host_state, states_only=True)
    accredited_to = None
    if mission.accredited_to is not None:
        accredited_to = (await references.actor(uow, "accreditedTo", mission.accredited_to)).code
    return dataclasses.replace(mission, sending_state=sending.code, host_state=host.code, accredited_to=accredited_to)


async def _check_diplomat(diplomat: Diplomat, uow: UnitOfWork) -> Diplomat:
    sending = await references.actor(uow, "sendingState", diplomat.sending_state, states_only=True)
    if diplomat.mission_id is not None:
        mission = await references.record(uow.missions, "Mission", "missionId", diplomat.mission_id)
        if mission.sending_state != sending.code:
            raise InvalidInput("missionId", f"mission {mission.id} belongs to {mission.sending_state}, not {sending.code}")
    return dataclasses.replace(diplomat, sending_state=sending.code)


missions = AggregateEditor[Mission]("Mission", lambda uow: uow.missions, _check_mission)
diplomats = AggregateEditor[Diplomat]("Diplomat", lambda uow: uow.diplomats, _check_diplomat)
