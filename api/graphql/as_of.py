"""`asOf`: every root read field answers from the record as it stood at a past instant.

The argument is declared once, as a field extension every root query field gets (`with_as_of`). One operation
reads one instant: the request's context opens its read session on the record at that instant before any field
runs (`requested_instant` finds it in the document), so every field below the root, every loader, every tally
and the compiled reads read it too. The answer names the instant in `extensions.asOf`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, Optional

from graphql import GraphQLSchema, OperationType
from graphql.execution.collect_fields import collect_fields
from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.field import StrawberryField

from domain.errors import Code, InvalidInput
from domain.store import Instant

ARGUMENT = "asOf"
DESCRIPTION = (
    "Answer from the record as it stood at this instant (a past date-time; UTC when no offset is given): the same "
    "fields, filters and tallies, over every record as it was then. Every root field of one operation reads the same "
    "instant; the response's `extensions.asOf` names it and the last history entry it includes."
)


class AsOfArgument(FieldExtension):
    """Gives a root field the `asOf` argument; the context has already opened the read session it asks for."""

    def apply(self, field: StrawberryField) -> None:
        if any(argument.python_name == "as_of" for argument in field.arguments):
            return  # a field is converted again by every schema built
        field.arguments.append(
            StrawberryArgument(
                python_name="as_of",
                graphql_name=ARGUMENT,
                type_annotation=StrawberryAnnotation(Optional[datetime]),  # noqa: UP045  # Strawberry reads the annotation at run time
                default=None,
                description=DESCRIPTION,
            )
        )

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        kwargs.pop("as_of", None)
        _check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any) -> Any:
        kwargs.pop("as_of", None)
        _check(info)
        result = next_(source, info, **kwargs)
        return await result if isinstance(result, Awaitable) else result


def _check(info: Any) -> None:
    problem = getattr(info.context, "as_of_problem", None)
    if problem is not None:
        raise problem


NOT_OF_THE_RECORD = frozenset({"viewer", "tokens"})
"""Root fields about the caller and the server's bearer tokens, which have no past state in the record."""


def with_as_of(fields: Iterable[StrawberryField]) -> None:
    """Give every one of `fields` that reads the record the `asOf` argument (before the schema is built)."""
    for field in fields:
        if field.python_name in NOT_OF_THE_RECORD:
            continue
        if not any(isinstance(extension, AsOfArgument) for extension in field.extensions):
            field.extensions.append(AsOfArgument())


def requested_instant(
    schema: GraphQLSchema, document: Any, operation_name: str | None, variables: dict[str, Any] | None
) -> datetime | None:
    """The instant the operation's root fields ask to read (None: now); `InvalidInput` when they ask for different ones.

    None too for an operation the executor will refuse anyway (bad variables, no such operation), or that is no query.
    """
    built = Executor.build(schema, document, raw_variable_values=variables, operation_name=operation_name)
    if isinstance(built, list) or built.operation.operation is not OperationType.QUERY or schema.query_type is None:
        return None
    root = schema.query_type
    collected = collect_fields(schema, built.fragments, built.variable_values, root, built.operation)
    asked: dict[str, datetime | None] = {}
    for key, details in collected.grouped_field_set.items():
        field = root.fields.get(details[0].node.name.value)
        if field is None or ARGUMENT not in field.args:
            continue
        try:
            arguments = get_argument_values(field, details[0].node, built.variable_values, details[0].fragment_variable_values)
        except Exception:
            return None  # the executor reports the bad argument
        asked[key] = arguments.get(ARGUMENT)
    instants = set(asked.values())
    if len(instants) > 1:
        named = ", ".join(f"{key} ({'now' if at is None else at.isoformat()})" for key, at in asked.items())
        raise InvalidInput(ARGUMENT, f"one operation reads one instant, but its root fields ask for several: {named}", Code.FIELDS_EXCLUDE)
    return next(iter(instants), None)


def described(instant: Instant) -> dict[str, Any]:
    """What `extensions.asOf` says: the instant (UTC) and the last history entry the answer includes."""
    return {"instant": instant.at.isoformat().replace("+00:00", "Z"), "entry": instant.entry}


class AsOfResults(SchemaExtension):
    """Names the instant an answer stands for in its `extensions` (the executor's answers)."""

    def get_results(self) -> dict[str, Any]:
        instant = getattr(self.execution_context.context, "instant", None)
        return {} if instant is None else {ARGUMENT: described(instant)}
