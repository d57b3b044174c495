"""The shape every create, update and delete mutation shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar, Union

import strawberry

from api.graphql.context import Info
from api.graphql.errors import (
    ConflictError,
    Deleted,
    Failure,
    NotFoundError,
    UnavailableError,
    ValidationError,
    VersionConflictError,
    outcome,
)
from api.graphql.inputs import InputSpec, node_id
from api.limits.access import ForbiddenError, UnauthenticatedError
from domain.use_cases.editing import AggregateEditor

T = TypeVar("T")


async def create(
    info: Info, input: object, spec: InputSpec, entity: Callable[..., Any], editor: AggregateEditor[Any], build: Callable[[Any], T]
) -> T | Failure:
    async def run() -> T:
        return build(await editor.create(entity(**spec.values(input)), uow=info.context.uow_factory()))

    return await outcome(run)


async def update(
    info: Info,
    type_name: str,
    id: strawberry.ID,
    expected_version: int,
    input: object,
    spec: InputSpec,
    editor: AggregateEditor[Any],
    build: Callable[[Any], T],
) -> T | Failure:
    async def run() -> T:
        values = spec.values(input)
        return build(
            await editor.update(node_id(type_name, "id", id), values, uow=info.context.uow_factory(), expected_version=expected_version)
        )

    return await outcome(run)


async def delete(info: Info, type_name: str, id: strawberry.ID, expected_version: int, editor: AggregateEditor[Any]) -> Deleted | Failure:
    async def run() -> Deleted:
        await editor.delete(node_id(type_name, "id", id), uow=info.context.uow_factory(), expected_version=expected_version)
        return Deleted(id=id)

    return await outcome(run)


def result_union(name: str, *success: type, description: str | None = None) -> Any:
    """The union a mutation returns: the record, or one of the typed failures."""
    members = Union[
        (
            *success,
            ValidationError,
            NotFoundError,
            ConflictError,
            VersionConflictError,
            UnavailableError,
            UnauthenticatedError,
            ForbiddenError,
        )
    ]
    what = " or ".join(kind.__name__ for kind in success)
    return Annotated[members, strawberry.union(name, description=description or f"The {what} as stored, or why nothing was written.")]


DeleteResult = result_union("DeleteResult", Deleted, description="The deleted record's ID, or why nothing was deleted.")
