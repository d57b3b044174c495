"""Mutations on states and organisations."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from api.graphql.arguments import CHANGES, NEW, ExpectedVersion, RecordId
from api.graphql.context import Info
from api.graphql.errors import Deleted, outcome
from api.graphql.inputs import InputSpec, node_id, patch_of, same
from api.graphql.mutations import common
from api.graphql.types.actors import Actor, Organisation, State, actor_type
from api.limits.access import admin_mutation
from domain.errors import NotFound
from domain.record import actors
from domain.use_cases import actors as use_cases

ACTOR_TYPES = ("State", "Organisation")


@strawberry.input(description="A new international organisation.")
class CreateOrganisationInput:
    code: str = strawberry.field(description="Short code, 2 to 12 upper-case letters or digits (e.g. 'OSCE').")
    name: str = strawberry.field(description="Common English name.")
    official_name: str | None = strawberry.field(default=None, description="Official name.")


UpdateActorInput = patch_of(
    CreateOrganisationInput,
    "UpdateActorInput",
    "Changes to an actor's names; its codes and kind are fixed.",
    only={"name", "official_name"},
)

ORGANISATION = InputSpec({"code": ("code", same), "name": ("name", same), "official_name": ("official_name", same)})
ActorResult = common.result_union("ActorResult", State, Organisation)


async def _create_organisation(info: Info, input: Annotated[CreateOrganisationInput, NEW]) -> Actor:
    values = ORGANISATION.values(input)
    values["code"] = actors.normalise_code("code", values["code"])
    draft = actors.Actor(kind=actors.ActorKind.ORGANISATION, **values)
    return actor_type(await use_cases.create_organisation(draft, uow=info.context.uow_factory()))


@strawberry.type
class ActorMutations:
    @strawberry.mutation(description="Record an international organisation as an actor.")
    async def create_organisation(self, info: Info, input: Annotated[CreateOrganisationInput, NEW]) -> ActorResult:
        return await outcome(lambda: _create_organisation(info, input))

    @strawberry.mutation(description="Add a state from ISO 3166 (current or former) that the record does not hold, e.g. after a delete.")
    async def create_state(
        self, info: Info, code: Annotated[str, strawberry.argument(description="Alpha-2, alpha-3 or ISO 3166-3 code.")]
    ) -> ActorResult:
        async def run() -> Actor:
            return actor_type(await use_cases.create_state(code, uow=info.context.uow_factory(), catalogue=info.context.catalogue))

        return await outcome(run)

    @strawberry.mutation(description="Rename a state or organisation.")
    async def update_actor(
        self, info: Info, id: RecordId, expected_version: ExpectedVersion, input: Annotated[UpdateActorInput, CHANGES]
    ) -> ActorResult:
        async def run() -> Actor:
            found = await _actor_id(info, id)
            return actor_type(
                await use_cases.update_actor(
                    found, ORGANISATION.values(input), uow=info.context.uow_factory(), expected_version=expected_version
                )
            )

        return await outcome(run)

    @admin_mutation("Delete a state or organisation that nothing in the record refers to.")
    async def delete_actor(self, info: Info, id: RecordId, expected_version: ExpectedVersion) -> common.DeleteResult:
        async def run() -> Deleted:
            await use_cases.delete_actor(await _actor_id(info, id), uow=info.context.uow_factory(), expected_version=expected_version)
            return Deleted(id=id)

        return await outcome(run)


async def _actor_id(info: Info, id: strawberry.ID) -> int:
    """The database id behind a State or Organisation ID, which must name an actor of that kind."""
    found = node_id(ACTOR_TYPES, "id", id)
    wanted_state = relay.GlobalID.from_id(id).type_name == "State"
    async with info.context.reads.use() as repositories:
        actor = await repositories.actors.get(found)
    if actor is None or actor.is_state != wanted_state:
        raise NotFound("State" if wanted_state else "Organisation", id, "id")
    return found
