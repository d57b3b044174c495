"""Use cases for states and organisations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.errors import Code, Conflict, InvalidInput, NotFound
from domain.ports import UnitOfWork
from domain.read.filters import ActorFilter
from domain.record.actors import Actor, ActorKind, normalise_code
from domain.record.catalogue import StateCatalogue
from domain.record.memberships import Membership
from domain.use_cases.editing import AggregateEditor

FIXED_FIELDS = frozenset({"code", "kind", "alpha3", "numeric", "dissolved"})


async def _check(actor: Actor, uow: UnitOfWork) -> Actor:
    same_code = (await uow.actors.get_by_codes([actor.code])).get(actor.code)
    if same_code is not None and same_code.id != actor.id:
        raise Conflict(f"an actor with code {actor.code} already exists", code=Code.DUPLICATE)
    return actor


editor = AggregateEditor[Actor]("Actor", lambda uow: uow.actors, _check)


async def create_organisation(draft: Actor, *, uow: UnitOfWork) -> Actor:
    """Record an international organisation as an actor of its own kind."""
    if draft.kind is not ActorKind.ORGANISATION:
        raise InvalidInput("kind", "only organisations are created this way; states come from ISO 3166", Code.INVALID_CHOICE)
    return await editor.create(draft, uow=uow)


async def create_state(code: str, *, uow: UnitOfWork, catalogue: StateCatalogue) -> Actor:
    """Add a state from the ISO 3166 catalogue (for example one deleted earlier)."""
    wanted = normalise_code("code", code)
    state = catalogue.lookup(wanted)
    if state is None:
        raise NotFound("State", wanted, "code")
    return await editor.create(state, uow=uow)


async def update_actor(id: int, changes: Mapping[str, object], *, uow: UnitOfWork, expected_version: int | None = None) -> Actor:
    """Rename an actor; its codes and kind are fixed."""
    fixed = FIXED_FIELDS.intersection(changes)
    if fixed:
        field = sorted(fixed)[0]
        raise InvalidInput(field, f"{field} cannot change; delete the actor and create it again", Code.IMMUTABLE_FIELD)
    return await editor.update(id, changes, uow=uow, expected_version=expected_version)


delete_actor = editor.delete


async def load_reference_states(
    *, uow: UnitOfWork, catalogue: StateCatalogue, organisations: list[Actor], memberships: Sequence[Membership] = ()
) -> int:
    """Fill an empty actor table with every ISO state and the given organisations, and their members'
    spells (reference data: no history entries); return how many actors."""
    async with uow:
        if await uow.actors.count(ActorFilter()) > 0:
            return 0
        actors = [*catalogue.all_states(), *organisations]
        await uow.actors.add_many(actors)
        for membership in memberships:
            await uow.memberships.add(membership)
        await uow.commit()
    return len(actors)
