"""Every record as a plain JSON document and back: the one shape history, restore and export share.

A document holds the record's id and every field, with enums as their values, partial dates
as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, headcounts as `{"qualifier", "value"}` and links as
lists of ids. It never holds the version, which belongs to one database, not to the record.
Reading a document back goes through the entity's own constructor, so every rule is checked.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Any

from domain.errors import Checks, Code, InvalidInput
from domain.record.kinds import KINDS
from domain.record.values import Headcount, HeadcountQualifier, PartialDate

Document = dict[str, Any]

NOT_IN_DOCUMENTS = frozenset({"version"})


def _plain(value: object) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, PartialDate | date):
        return str(value) if isinstance(value, PartialDate) else value.isoformat()
    if isinstance(value, Headcount):
        return {"qualifier": value.qualifier.value, "value": value.value}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


_DOCUMENT_FIELDS: dict[type, tuple[str, ...]] = {}


def to_document(entity: object) -> Document:
    """The record as JSON-ready values, fields in declaration order."""
    names = _DOCUMENT_FIELDS.get(type(entity))
    if names is None:
        fields = dataclasses.fields(entity)  # type: ignore[arg-type]
        names = _DOCUMENT_FIELDS[type(entity)] = tuple(field.name for field in fields if field.name not in NOT_IN_DOCUMENTS)
    return {name: _plain(getattr(entity, name)) for name in names}


Reader = Callable[[Any], Any]


def _ids(field: str) -> Reader:
    def read(value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
            raise InvalidInput(field, f"{field} is a list of record ids", Code.INVALID_SHAPE)
        return tuple(value)

    return read


def _enum(field: str, kind: type[Enum]) -> Reader:
    members = {member.value: member for member in kind}
    allowed = ", ".join(str(value) for value in members)

    def read(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            raise InvalidInput(field, f"{value!r} is not one of {allowed}", Code.INVALID_CHOICE) from None

    return read


def _partial_date(field: str) -> Reader:
    def read(value: Any) -> Any:
        if not isinstance(value, str):
            raise InvalidInput(field, f"{field} is a date written YYYY, YYYY-MM or YYYY-MM-DD", Code.INVALID_DATE)
        return PartialDate.parse(field, value)

    return read


def _headcount(field: str) -> Reader:
    qualifier_of = _enum(field, HeadcountQualifier)

    def read(value: Any) -> Any:
        if not isinstance(value, dict) or set(value) - {"qualifier", "value"}:
            raise InvalidInput(field, f"{field} is an object with 'qualifier' and 'value'", Code.INVALID_SHAPE)
        if value.get("qualifier") is None:
            raise InvalidInput(f"{field}.qualifier", f"{field} needs a qualifier", Code.REQUIRED)
        return Headcount.build(field, qualifier_of(value["qualifier"]), value.get("value"))

    return read


def _date(field: str) -> Reader:
    def read(value: Any) -> Any:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise InvalidInput(field, f"{field} {value!r} is not a date YYYY-MM-DD", Code.INVALID_DATE) from None

    return read


def _plain_type(field: str, kind: type[Any], what: str) -> Reader:
    code = Code.INVALID_NUMBER if kind is int else Code.INVALID_SHAPE

    def read(value: Any) -> Any:
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidInput(field, f"{field} is {what}", code)
        return value

    return read


def _reader(field: str, hint: Any) -> Reader:
    """How to read one field's JSON value, decided once from its type hint; null is always None."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    kind = next(option for option in options if option is not type(None))
    if typing.get_origin(kind) is tuple:
        return _ids(field)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum(field, kind)
    special = {PartialDate: _partial_date, Headcount: _headcount, date: _date}.get(kind)
    if special is not None:
        return special(field)
    if kind is int:
        return _plain_type(field, int, "a whole number")
    if kind is str:
        return _plain_type(field, str, "text")
    raise TypeError(f"no reader for {field}: {hint!r}")


_READERS: dict[type[Any], dict[str, Reader]] = {}


def _readers(cls: type[Any]) -> dict[str, Reader]:
    found = _READERS.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        fields = [field.name for field in dataclasses.fields(cls) if field.name not in NOT_IN_DOCUMENTS]
        found = _READERS[cls] = {name: _reader(name, hints[name]) for name in fields}
    return found


def from_document(kind: str, document: Document) -> Any:
    """The entity a document describes, every rule checked; `InvalidInput` names the field at fault."""
    if kind not in KINDS:
        raise InvalidInput("type", f"{kind!r} is not a kind of record: use one of {', '.join(KINDS)}", Code.INVALID_CHOICE)
    cls = KINDS[kind].entity
    if not isinstance(document, dict):
        raise InvalidInput("input", "a record is a JSON object", Code.INVALID_SHAPE)
    readers = _readers(cls)
    found = Checks()
    for name in sorted(name for name in document if name not in readers):
        found.add(name, Code.UNKNOWN_FIELD, f"{kind} has no field {name!r}")
    values: dict[str, Any] = {}
    for name, value in document.items():
        if name in readers:
            with found.rule():
                values[name] = None if value is None else readers[name](value)
    missing = [field.name for field in dataclasses.fields(cls) if field.name not in document and field.default is dataclasses.MISSING]
    for name in missing:
        found.add(name, Code.REQUIRED, f"{kind} needs {name}")
    found.done()
    try:
        return cls(**values)
    except TypeError as exc:
        raise InvalidInput("input", f"{kind} needs other fields: {exc}", Code.REQUIRED) from None
    except ValueError as exc:
        raise InvalidInput("input", str(exc), Code.INVALID_VALUE) from None


def changed_fields(before: Document | None, after: Document | None) -> list[str]:
    """The fields whose values differ between two documents of one record."""
    names = [*(before or {}), *(name for name in after or {} if name not in (before or {}))]
    return [name for name in names if (before or {}).get(name) != (after or {}).get(name)]
