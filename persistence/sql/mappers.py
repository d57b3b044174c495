"""Mapping between stored rows and domain entities, both ways, derived from each entity's fields.

A field is kept in the column of its name, as it is, with three exceptions: an enum is kept by its value, a partial
date in three columns (`<field>_start`, `_end`, `_precision`), and a headcount in `headcount_qualifier` and
`headcount_value`. A tuple of ids is a link, kept in a link table: the repository reads it and hands it over in
`links`. A record's `id` and `version` are read from the row and written by the repository itself.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from domain.record.values import Headcount, HeadcountQualifier, PartialDate, Precision

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Values = dict[str, Any]
E = TypeVar("E")
D = TypeVar("D", bound="DataclassInstance")


@dataclass(frozen=True, slots=True)
class Mapper(Generic[E]):
    """The two directions of one aggregate's mapping."""

    to_values: Callable[[E], Values]
    to_entity: Callable[[Any, Values], E]


def partial_date_columns(name: str, value: PartialDate | None) -> Values:
    """The three columns that keep a partial date: first day, last day, precision."""
    if value is None:
        return {f"{name}_start": None, f"{name}_end": None, f"{name}_precision": None}
    return {f"{name}_start": value.start, f"{name}_end": value.end, f"{name}_precision": value.precision.value}


def partial_date(row: Any, name: str) -> PartialDate | None:
    start: date | None = getattr(row, f"{name}_start")
    if start is None:
        return None
    precision = Precision(getattr(row, f"{name}_precision"))
    return PartialDate(
        start.year,
        start.month if precision is not Precision.YEAR else None,
        start.day if precision is Precision.DAY else None,
    )


def headcount_columns(value: Headcount | None) -> Values:
    if value is None:
        return {"headcount_qualifier": None, "headcount_value": None}
    return {"headcount_qualifier": value.qualifier.value, "headcount_value": value.value}


def headcount(row: Any) -> Headcount | None:
    if row.headcount_qualifier is None:
        return None
    return Headcount(HeadcountQualifier(row.headcount_qualifier), row.headcount_value)


RECORD_COUNTERS = ("id", "version")
"""The fields of a record that the repository sets itself, never from the entity."""

Written = Callable[[Any], Values]
"""A field's value -> the columns that keep it."""
Read = Callable[[Any, Values], Any]
"""(row, links) -> the field's value."""


def stored_type(hint: Any) -> Any:
    """The type a field holds, without `| None`."""
    if isinstance(hint, types.UnionType):
        held = [member for member in typing.get_args(hint) if member is not type(None)]
        if len(held) == 1:
            return held[0]
    return hint


def _field_mapping(name: str, hint: Any) -> tuple[Written | None, Read]:
    """How one field is written to its columns (None for a link) and read back."""
    held = stored_type(hint)
    if typing.get_origin(held) is tuple:
        return None, lambda row, links: links[name]
    if held is PartialDate:
        return (lambda value: partial_date_columns(name, value)), (lambda row, links: partial_date(row, name))
    if held is Headcount:
        return headcount_columns, lambda row, links: headcount(row)
    if isinstance(held, type) and issubclass(held, Enum):
        enum = held
        return (
            (lambda value: {name: None if value is None else value.value}),
            (lambda row, links: None if getattr(row, name) is None else enum(getattr(row, name))),
        )
    return (lambda value: {name: value}), (lambda row, links: getattr(row, name))


def mapper_of(entity: type[D], *, set_by_the_repository: tuple[str, ...] = RECORD_COUNTERS) -> Mapper[D]:
    """The mapping of an entity dataclass to its table's columns and back (see the module's docstring)."""
    hints = typing.get_type_hints(entity)
    fields = {field.name: _field_mapping(field.name, hints[field.name]) for field in dataclasses.fields(entity) if field.init}
    written = [(name, write) for name, (write, _) in fields.items() if write is not None and name not in set_by_the_repository]

    def to_values(value: D) -> Values:
        columns: Values = {}
        for name, write in written:
            columns.update(write(getattr(value, name)))
        return columns

    def to_entity(row: Any, links: Values) -> D:
        return entity(**{name: read(row, links) for name, (_, read) in fields.items()})

    return Mapper(to_values, to_entity)
