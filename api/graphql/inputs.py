"""Turning GraphQL input objects into domain values, naming the field at fault on every refusal."""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry import UNSET, relay

from api.graphql.types.values import HeadcountQualifier
from domain.errors import Checks, Code, InvalidInput
from domain.record.values import Headcount, PartialDate, record_id

Convert = Callable[[str, Any], Any]


@strawberry.input(description="A headcount: EXACT, APPROXIMATE and AT_LEAST need a value; UNKNOWN must have none.")
class HeadcountInput:
    qualifier: HeadcountQualifier = strawberry.field(description="How the number is known.")
    value: int | None = strawberry.field(default=None, description="A whole number of people, 0 or more; omit for UNKNOWN.")


def same(field: str, value: Any) -> Any:
    return value


def partial_date(field: str, value: str | None) -> PartialDate | None:
    return None if value is None else PartialDate.parse(field, value)


def headcount(field: str, value: HeadcountInput | None) -> Headcount | None:
    return None if value is None else Headcount.build(field, value.qualifier, value.value)


def node_id(type_names: str | tuple[str, ...], field: str, value: str) -> int:
    """The database id inside a global ID of one of the expected types."""
    expected = (type_names,) if isinstance(type_names, str) else type_names
    try:
        global_id = relay.GlobalID.from_id(value)
    except relay.GlobalIDValueError:
        raise InvalidInput(field, f"{field} {value!r} is not a valid global ID", Code.INVALID_ID) from None
    if global_id.type_name not in expected:
        raise InvalidInput(field, f"{field} must be the ID of a {' or '.join(expected)}, not of a {global_id.type_name}", Code.INVALID_ID)
    number = record_id(global_id.node_id)
    if number is None:
        raise InvalidInput(field, f"{field} {value!r} is not a valid global ID", Code.INVALID_ID)
    return number


def ref(type_name: str) -> Convert:
    def convert(field: str, value: str | None) -> int | None:
        return None if value is None else node_id(type_name, field, value)

    return convert


def refs(type_name: str) -> Convert:
    def convert(field: str, values: list[str] | None) -> tuple[int, ...]:
        return tuple(node_id(type_name, field, value) for value in values or [])

    return convert


def required(convert: Convert) -> Convert:
    """Refuse an explicit null for a field the record cannot be without."""

    def check(field: str, value: Any) -> Any:
        if value is None:
            raise InvalidInput(field, f"{field} cannot be null", Code.REQUIRED)
        return convert(field, value)

    return check


@dataclass(frozen=True, slots=True)
class InputSpec:
    """How each field of an input object maps to a domain field: python name -> (domain name, converter)."""

    fields: Mapping[str, tuple[str, Convert]]

    def values(self, data: object) -> dict[str, Any]:
        """Domain keyword arguments for the fields the client set (UNSET fields are left out); every value that
        cannot be read is reported at once."""
        found: dict[str, Any] = {}
        refused = Checks()
        for name, (domain_name, convert) in self.fields.items():
            value = getattr(data, name, UNSET)
            if value is not UNSET:
                with refused.rule():
                    found[domain_name] = convert(strawberry_name(name), value)
        refused.done()
        return found


def strawberry_name(python_name: str) -> str:
    head, *rest = python_name.split("_")
    return head + "".join(part.title() for part in rest)


def patch_of(create_input: type, name: str, description: str, *, only: set[str] | None = None) -> type:
    """An input type with the same fields as `create_input`, each optional; an omitted field stays unchanged."""
    hints = typing.get_type_hints(create_input, include_extras=True)
    definition = create_input.__strawberry_definition__  # type: ignore[attr-defined]
    namespace: dict[str, Any] = {"__annotations__": {}}
    for field in definition.fields:
        if only is not None and field.python_name not in only:
            continue
        hint = hints[field.python_name]
        namespace["__annotations__"][field.python_name] = hint | None if type(None) not in typing.get_args(hint) else hint
        namespace[field.python_name] = strawberry.field(default=UNSET, description=f"{field.description} Omit to keep the current value.")
    return strawberry.input(type(name, (), namespace), name=name, description=description)
