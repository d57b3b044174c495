"""Mutations on missions and people."""

from __future__ import annotations

from typing import Annotated

import strawberry

from api.graphql.arguments import CHANGES, NEW, ExpectedVersion, RecordId
from api.graphql.context import Info
from api.graphql.inputs import InputSpec, patch_of, ref, required, same
from api.graphql.mutations import common
from api.graphql.types.missions import Diplomat, Mission
from api.graphql.types.values import MissionKind, Rank, StaffCategory
from api.limits.access import admin_mutation
from domain.record import diplomats, missions
from domain.use_cases import missions as use_cases


@strawberry.input(description="A new mission.")
class CreateMissionInput:
    sending_state: str = strawberry.field(description="Code of the sending state (alpha-2, alpha-3 or ISO 3166-3).")
    host_state: str = strawberry.field(description="Code of the state where the post sits.")
    kind: MissionKind = strawberry.field(description="The kind of post.")
    city: str | None = strawberry.field(default=None, description="City where the post sits.")
    name: str | None = strawberry.field(default=None, description="The post's own name.")
    accredited_to: str | None = strawberry.field(
        default=None, description="Code of the organisation the post is accredited to (required for a permanent mission)."
    )


@strawberry.input(description="A new person sent by a state.")
class CreateDiplomatInput:
    sending_state: str = strawberry.field(description="Code of the state that sent the person.")
    staff_category: StaffCategory = strawberry.field(description="Staff category.")
    name: str | None = strawberry.field(default=None, description="The person's name, if public.")
    rank: Rank | None = strawberry.field(default=None, description="Rank, if known.")
    mission_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the Mission the person served at.")


UpdateMissionInput = patch_of(CreateMissionInput, "UpdateMissionInput", "Changes to a mission; omitted fields stay as they are.")
UpdateDiplomatInput = patch_of(CreateDiplomatInput, "UpdateDiplomatInput", "Changes to a person; omitted fields stay as they are.")

MISSION = InputSpec(
    {
        "sending_state": ("sending_state", required(same)),
        "host_state": ("host_state", required(same)),
        "kind": ("kind", required(same)),
        "city": ("city", same),
        "name": ("name", same),
        "accredited_to": ("accredited_to", same),
    }
)
DIPLOMAT = InputSpec(
    {
        "sending_state": ("sending_state", required(same)),
        "staff_category": ("staff_category", required(same)),
        "name": ("name", same),
        "rank": ("rank", same),
        "mission_id": ("mission_id", ref("Mission")),
    }
)
MissionResult = common.result_union("MissionResult", Mission)
DiplomatResult = common.result_union("DiplomatResult", Diplomat)


@strawberry.type
class MissionMutations:
    @strawberry.mutation(description="Record a mission.")
    async def create_mission(self, info: Info, input: Annotated[CreateMissionInput, NEW]) -> MissionResult:
        return await common.create(info, input, MISSION, missions.Mission, use_cases.missions, Mission.from_domain)

    @strawberry.mutation(description="Change a mission.")
    async def update_mission(
        self, info: Info, id: RecordId, expected_version: ExpectedVersion, input: Annotated[UpdateMissionInput, CHANGES]
    ) -> MissionResult:
        return await common.update(info, "Mission", id, expected_version, input, MISSION, use_cases.missions, Mission.from_domain)

    @admin_mutation("Delete a mission that no person or measure refers to.")
    async def delete_mission(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        return await common.delete(info, "Mission", id, expected_version, use_cases.missions)

    @strawberry.mutation(description="Record a person sent by a state.")
    async def create_diplomat(self, info: Info, input: Annotated[CreateDiplomatInput, NEW]) -> DiplomatResult:
        return await common.create(info, input, DIPLOMAT, diplomats.Diplomat, use_cases.diplomats, Diplomat.from_domain)

    @strawberry.mutation(description="Change a person's record.")
    async def update_diplomat(
        self, info: Info, id: RecordId, expected_version: ExpectedVersion, input: Annotated[UpdateDiplomatInput, CHANGES]
    ) -> DiplomatResult:
        return await common.update(info, "Diplomat", id, expected_version, input, DIPLOMAT, use_cases.diplomats, Diplomat.from_domain)

    @admin_mutation("Delete a person no measure names.")
    async def delete_diplomat(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        return await common.delete(info, "Diplomat", id, expected_version, use_cases.diplomats)
