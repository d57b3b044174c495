"""How a list's filters are declared, once: each field of a filter dataclass carries its criterion.

A criterion says what a filter means (a predicate on one record, given the rest of the record as
`facts`) and how callers ask for it (the arguments it is given by, with their descriptions). The
edges derive the rest from it: the GraphQL arguments and their reading, the SQL conditions, the fakes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

CRITERION = "criterion"


class ActorCode:
    """An argument holding one actor's code as a caller writes it; the filter holds the stored code."""


class OrganisationCode:
    """An argument holding the code of an organisation whose members the record holds: one whose memberships are not
    recorded is refused, naming the argument, rather than answered with a silent nothing."""


class ActorCodes:
    """An argument holding actor codes (any of them matches); the filter holds the stored codes, each once."""


class ActorPair:
    """An argument holding exactly two actor codes; the filter holds the stored pair."""


class Words:
    """An argument holding words to search for, as long as a search may be."""


@dataclass(frozen=True, slots=True)
class RecordOf:
    """An argument holding a record's global ID, which must be of this kind; the filter holds its id."""

    kind: str


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument callers give a filter by; every filter argument is optional, and None means "any"."""

    name: str
    """The Python name (the GraphQL name is its camel case)."""
    type: object
    """What the caller writes: a Python type, or one of the argument kinds above."""
    description: str


def _alone(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Criterion:
    """What one field of a filter means, and the arguments (if any) it is asked for by."""

    holds: Callable[[Any, Any, Any], bool]
    """(record, the field's value, facts) -> whether the record passes; called only when the value is not None."""
    arguments: tuple[Argument, ...] = ()
    """None: a filter the record's own code uses, which callers cannot ask for."""
    value: Callable[..., Any] = _alone
    """The field's value from its arguments' values (None for each not given)."""


def criterion(holds: Callable[[Any, Any, Any], bool], *arguments: Argument, value: Callable[..., Any] = _alone) -> Any:
    """A filter dataclass field (None by default) with its criterion."""
    return dataclasses.field(default=None, metadata={CRITERION: Criterion(holds, arguments, value)})


_CRITERIA: dict[type, Mapping[str, Criterion]] = {}


def criteria(filter_type: type) -> Mapping[str, Criterion]:
    """A filter's criteria by field name, in declaration order."""
    found = _CRITERIA.get(filter_type)
    if found is None:
        fields = {field.name: field.metadata.get(CRITERION) for field in dataclasses.fields(filter_type)}
        found = _CRITERIA[filter_type] = {name: declared for name, declared in fields.items() if declared is not None}
    return found


def arguments(filter_type: type) -> list[Argument]:
    """The arguments callers give a filter by, in declaration order."""
    return [argument for declared in criteria(filter_type).values() for argument in declared.arguments]


def given(filter: Any) -> dict[str, Any]:
    """The filter's fields that narrow it (those not None), by name."""
    return {name: value for name in criteria(type(filter)) if (value := getattr(filter, name)) is not None}


def admits(filter: Any, record: object, facts: object) -> bool:
    """Whether the record passes every criterion the filter sets."""
    declared = criteria(type(filter))
    return all(declared[name].holds(record, value, facts) for name, value in given(filter).items())


def check_covered(filter_type: type, handled: Mapping[str, object], by: str) -> None:
    """Refuse, at import, a table of handlers that lacks a declared filter or names one that is not declared."""
    declared = set(criteria(filter_type))
    missing, unknown = sorted(declared - set(handled)), sorted(set(handled) - declared)
    if missing or unknown:
        raise TypeError(f"{by} must handle exactly the criteria of {filter_type.__name__}: missing {missing}, unknown {unknown}")
