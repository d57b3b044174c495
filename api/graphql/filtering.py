"""The lists' filter arguments on GraphQL fields and their reading into domain filters, derived from the declarations.

The declarations are the filter dataclasses of `domain.read.filters` (see `domain.read.criteria`).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, Protocol, TypeVar

import strawberry

from api.graphql.inputs import node_id, strawberry_name
from domain.errors import Code, InvalidInput
from domain.read.criteria import ActorCode, ActorCodes, ActorPair, Argument, OrganisationCode, RecordOf, Words, arguments, criteria

F = TypeVar("F")
C = TypeVar("C", bound=Callable[..., Any])


class Codes(Protocol):
    """(argument name, code as given) -> the code to filter by; None for none given. With `members`, the code must
    name an organisation whose memberships are recorded (the executor refuses another; the compiled reader checks
    it inside its statement and leaves the refusal to the executor)."""

    def __call__(self, field: str, code: str | None, /, *, members: bool = False) -> Awaitable[str | None]: ...


MAX_SEARCH = 500
MAX_CODES = 100
"""How many codes one list filter (`actor: [...]`) may name."""

WRITTEN_AS: dict[object, object] = {ActorCode: str, OrganisationCode: str, ActorCodes: list[str], ActorPair: list[str], Words: str}
"""The GraphQL input type of each kind of argument that is not a plain type."""


def search_text(search: str | None) -> str | None:
    """A search's text, refused when longer than a search may be."""
    if search is not None and len(search) > MAX_SEARCH:
        raise InvalidInput("search", f"a search is at most {MAX_SEARCH} characters", Code.INVALID_SEARCH)
    return search


async def several(codes: Codes, field: str, given: list[str]) -> tuple[str, ...]:
    """Each code of a list filter looked up (any of them matches)."""
    if not given:
        raise InvalidInput(field, f"{field} needs at least one code", Code.REQUIRED)
    if len(given) > MAX_CODES:
        raise InvalidInput(field, f"{field} takes at most {MAX_CODES} codes", Code.TOO_MANY)
    found: list[str] = []
    for code in given:
        looked_up = await codes(field, code)
        assert looked_up is not None
        if looked_up not in found:
            found.append(looked_up)
    return tuple(found)


async def _pair(codes: Codes, field: str, given: list[str]) -> tuple[str, str]:
    if len(given) != 2:
        raise InvalidInput(field, f"{field} takes exactly two codes", Code.INVALID_SHAPE)
    one, other = await codes(field, given[0]), await codes(field, given[1])
    assert one is not None
    assert other is not None
    return one, other


async def _read(argument: Argument, codes: Codes, value: Any) -> Any:
    """An argument's value as its filter takes it."""
    field = strawberry_name(argument.name)
    if value is None:
        return None
    if argument.type is ActorCode:
        return await codes(field, value)
    if argument.type is OrganisationCode:
        return await codes(field, value, members=True)
    if argument.type is ActorCodes:
        return await several(codes, field, value)
    if argument.type is ActorPair:
        return await _pair(codes, field, value)
    if argument.type is Words:
        return search_text(value)
    if isinstance(argument.type, RecordOf):
        return node_id(argument.type.kind, field, value)
    return value


async def read_filter(filter_type: type[F], codes: Codes, given: Mapping[str, Any]) -> F:
    """The filter a field's filter arguments (by Python name; those left out mean "any") ask for."""
    declared = criteria(filter_type)
    unknown = set(given) - {argument.name for criterion in declared.values() for argument in criterion.arguments}
    if unknown:
        raise TypeError(f"not arguments of {filter_type}: {sorted(unknown)}")
    values: dict[str, Any] = {}
    for name, criterion in declared.items():
        if criterion.arguments:
            read = [await _read(argument, codes, given.get(argument.name)) for argument in criterion.arguments]
            if any(value is not None for value in read):
                values[name] = criterion.value(*read)
    return filter_type(**values)


def _written(argument: Argument) -> Any:
    """The argument's GraphQL type, without its optionality."""
    return strawberry.ID if isinstance(argument.type, RecordOf) else WRITTEN_AS.get(argument.type, argument.type)


def annotation(argument: Argument) -> object:
    """The argument's type on a GraphQL field: optional, with its description."""
    return Annotated[_written(argument) | None, strawberry.argument(description=argument.description)]


def filter_input(filter_type: type, name: str, description: str) -> type:
    """A GraphQL input type whose fields are a filter's arguments, each optional and described as on the lists."""
    declared = arguments(filter_type)
    namespace: dict[str, Any] = {argument.name: strawberry.field(default=None, description=argument.description) for argument in declared}
    namespace["__annotations__"] = {argument.name: _written(argument) | None for argument in declared}
    return strawberry.input(type(name, (), namespace), description=description)


def input_arguments(value: object) -> dict[str, Any]:
    """The filter arguments an input of `filter_input` holds, by Python name, as a field's `**given` holds them."""
    return {name: getattr(value, name) for name in vars(type(value)).get("__annotations__", {})}


def takes_filters(filter_type: type, *, following: str | None = None) -> Callable[[C], C]:
    """Give a resolver that takes `**given` the filter's arguments, in their declared order (see `takes_arguments`)."""
    return takes_arguments(arguments(filter_type), following=following)


def takes_arguments(declared: Sequence[Argument], *, following: str | None = None) -> Callable[[C], C]:
    """Give a resolver that takes `**given` these optional arguments, in this order: first, or after its own
    parameter `following`. Every parameter after `info` becomes keyword-only."""

    def give(resolver: C) -> C:
        signature = inspect.signature(resolver)
        own = [parameter for parameter in signature.parameters.values() if parameter.kind is not parameter.VAR_KEYWORD]
        leading = [parameter for parameter in own if parameter.name in ("self", "info")]
        rest = [parameter.replace(kind=parameter.KEYWORD_ONLY) for parameter in own if parameter.name not in ("self", "info")]
        names = [parameter.name for parameter in rest]
        if following is not None and following not in names:
            raise TypeError(f"{resolver.__name__} has no parameter {following}")
        at = 0 if following is None else names.index(following) + 1
        given = [
            inspect.Parameter(argument.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=annotation(argument))
            for argument in declared
        ]
        resolver.__signature__ = signature.replace(parameters=[*leading, *rest[:at], *given, *rest[at:]])  # type: ignore[attr-defined]
        resolver.__annotations__.update({parameter.name: parameter.annotation for parameter in given})
        return resolver

    return give
