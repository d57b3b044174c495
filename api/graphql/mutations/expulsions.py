"""Mutations on measures, their answer links, named people and waves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from api.graphql.arguments import CHANGES, NEW, AnsweredId, DiplomatId, ExpectedVersion, MeasureId, OptionalVersion, RecordId
from api.graphql.context import Info
from api.graphql.errors import Failure, outcome
from api.graphql.inputs import HeadcountInput, InputSpec, headcount, node_id, partial_date, patch_of, ref, refs, required, same
from api.graphql.mutations import common
from api.graphql.types.expulsions import Expulsion, Wave
from api.graphql.types.values import LegalBasis, MeasureType, ReasonCategory
from api.limits.access import admin_mutation
from domain.ports import UnitOfWork
from domain.record import expulsions
from domain.use_cases import expulsions as use_cases


@strawberry.input(description="A new measure. Dates are written YYYY, YYYY-MM or YYYY-MM-DD to the precision known.")
class CreateExpulsionInput:
    actor: str = strawberry.field(description="Code of the state or organisation taking the measure.")
    target: str = strawberry.field(description="Code of the state whose people or posts it targets.")
    measure_type: MeasureType = strawberry.field(description="Which act it is.")
    announced: str = strawberry.field(description="When it was announced: YYYY, YYYY-MM or YYYY-MM-DD.")
    headcount: HeadcountInput = strawberry.field(description="How many people it concerns, with how that number is known.")
    legal_basis: LegalBasis | None = strawberry.field(default=None, description="The legal instrument; UNSTATED when omitted.")
    reason_category: ReasonCategory | None = strawberry.field(default=None, description="The broad ground; UNSTATED when omitted.")
    stated_reason: str | None = strawberry.field(default=None, description="The grounds as stated.")
    target_mission_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the target's Mission concerned.")
    notified: str | None = strawberry.field(default=None, description="When the target was notified.")
    deadline: str | None = strawberry.field(default=None, description="Deadline to leave; not before the announcement.")
    departed: str | None = strawberry.field(default=None, description="When the people left.")
    diplomat_ids: list[strawberry.ID] | None = strawberry.field(default=None, description="IDs of the named Diplomats it concerns.")
    answers: list[strawberry.ID] | None = strawberry.field(default=None, description="IDs of the earlier Expulsions it answers.")
    wave_id: strawberry.ID | None = strawberry.field(default=None, description="ID of the Wave it belongs to.")


@strawberry.input(description="A new wave of measures.")
class CreateWaveInput:
    name: str = strawberry.field(description="Name of the wave.")
    description: str | None = strawberry.field(default=None, description="What the wave was.")


UpdateExpulsionInput = patch_of(CreateExpulsionInput, "UpdateExpulsionInput", "Changes to a measure; omitted fields stay as they are.")
UpdateWaveInput = patch_of(CreateWaveInput, "UpdateWaveInput", "Changes to a wave; omitted fields stay as they are.")

EXPULSION = InputSpec(
    {
        "actor": ("actor", required(same)),
        "target": ("target", required(same)),
        "measure_type": ("measure_type", required(same)),
        "announced": ("announced", required(partial_date)),
        "headcount": ("headcount", required(headcount)),
        "legal_basis": ("legal_basis", required(same)),
        "reason_category": ("reason_category", required(same)),
        "stated_reason": ("stated_reason", same),
        "target_mission_id": ("target_mission_id", ref("Mission")),
        "notified": ("notified", partial_date),
        "deadline": ("deadline", partial_date),
        "departed": ("departed", partial_date),
        "diplomat_ids": ("diplomat_ids", refs("Diplomat")),
        "answers": ("answers", refs("Expulsion")),
        "wave_id": ("wave_id", ref("Wave")),
    }
)
WAVE = InputSpec({"name": ("name", required(same)), "description": ("description", same)})
ExpulsionResult = common.result_union("ExpulsionResult", Expulsion)
WaveResult = common.result_union("WaveResult", Wave)

Link = Callable[..., Awaitable[expulsions.Expulsion]]


def _new_expulsion(**values: object) -> expulsions.Expulsion:
    # GraphQL lets the optional enums be null on create; null there means "not stated".
    for name, unstated in (("legal_basis", expulsions.LegalBasis.UNSTATED), ("reason_category", expulsions.ReasonCategory.UNSTATED)):
        if values.get(name) is None:
            values[name] = unstated
    return expulsions.Expulsion(**values)  # type: ignore[arg-type]


async def _link(
    info: Info, link: Link, measure_id: MeasureId, other: tuple[str, str, strawberry.ID], version: int | None
) -> Expulsion | Failure:
    other_type, other_field, other_id = other

    async def run() -> Expulsion:
        uow: UnitOfWork = info.context.uow_factory()
        ids = node_id("Expulsion", "measureId", measure_id), node_id(other_type, other_field, other_id)
        measure = await link(*ids, uow=uow, expected_version=version)
        return Expulsion.from_domain(measure)

    # The use case checks the whole measure; name this mutation's own arguments instead.
    return await outcome(run, {"id": "measureId", "answers": other_field, "diplomatIds": other_field})


@strawberry.type
class ExpulsionMutations:
    @strawberry.mutation(description="Record a measure.")
    async def create_expulsion(self, info: Info, input: Annotated[CreateExpulsionInput, NEW]) -> ExpulsionResult:
        spec = InputSpec({**EXPULSION.fields, "legal_basis": ("legal_basis", same), "reason_category": ("reason_category", same)})
        return await common.create(info, input, spec, _new_expulsion, use_cases.expulsions, Expulsion.from_domain)

    @strawberry.mutation(description="Change a measure; every rule is checked again, including answer links.")
    async def update_expulsion(
        self, info: Info, id: RecordId, expected_version: ExpectedVersion, input: Annotated[UpdateExpulsionInput, CHANGES]
    ) -> ExpulsionResult:
        return await common.update(info, "Expulsion", id, expected_version, input, EXPULSION, use_cases.expulsions, Expulsion.from_domain)

    @admin_mutation("Delete a measure that no later measure answers; its citations and statement links go with it.")
    async def delete_expulsion(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        return await common.delete(info, "Expulsion", id, expected_version, use_cases.expulsions)

    @strawberry.mutation(description="Record that a measure answers an earlier one (never forward in time, never a cycle).")
    async def link_answer(
        self, info: Info, measure_id: MeasureId, answered_id: AnsweredId, expected_version: OptionalVersion = None
    ) -> ExpulsionResult:
        return await _link(info, use_cases.link_answer, measure_id, ("Expulsion", "answeredId", answered_id), expected_version)

    @strawberry.mutation(description="Remove the record that a measure answers another.")
    async def unlink_answer(
        self, info: Info, measure_id: MeasureId, answered_id: AnsweredId, expected_version: OptionalVersion = None
    ) -> ExpulsionResult:
        return await _link(info, use_cases.unlink_answer, measure_id, ("Expulsion", "answeredId", answered_id), expected_version)

    @strawberry.mutation(description="Name a person among those a measure concerns.")
    async def add_expelled_person(
        self, info: Info, measure_id: MeasureId, diplomat_id: DiplomatId, expected_version: OptionalVersion = None
    ) -> ExpulsionResult:
        return await _link(info, use_cases.add_person, measure_id, ("Diplomat", "diplomatId", diplomat_id), expected_version)

    @strawberry.mutation(description="Take a person off a measure's named people.")
    async def remove_expelled_person(
        self, info: Info, measure_id: MeasureId, diplomat_id: DiplomatId, expected_version: OptionalVersion = None
    ) -> ExpulsionResult:
        return await _link(info, use_cases.remove_person, measure_id, ("Diplomat", "diplomatId", diplomat_id), expected_version)

    @strawberry.mutation(description="Record a wave of measures.")
    async def create_wave(self, info: Info, input: Annotated[CreateWaveInput, NEW]) -> WaveResult:
        return await common.create(info, input, WAVE, expulsions.Wave, use_cases.waves, Wave.from_domain)

    @strawberry.mutation(description="Change a wave.")
    async def update_wave(
        self, info: Info, id: RecordId, expected_version: ExpectedVersion, input: Annotated[UpdateWaveInput, CHANGES]
    ) -> WaveResult:
        return await common.update(info, "Wave", id, expected_version, input, WAVE, use_cases.waves, Wave.from_domain)

    @admin_mutation("Delete a wave that no measure belongs to.")
    async def delete_wave(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        return await common.delete(info, "Wave", id, expected_version, use_cases.waves)
