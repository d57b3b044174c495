"""How each database builds JSON text: PostgreSQL with json_build_object and json_agg, SQLite with
json_object and json_group_array (and two functions the engine registers, base64 being missing).

Every method returns SQL text; its arguments are SQL text made by the compiler from the read
model's trusted names, never from a caller's input.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func

from domain.read.plans import Unanswerable

PG_MAX_ARGUMENTS = 100


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


class JsonSql:
    """The SQL of one dialect for building JSON."""

    max_lists: int | None = None
    """How many lists one answer may nest (a page counts as one), where the database's parser sets a limit."""

    def object(self, pairs: Sequence[tuple[str, str]]) -> str:
        raise NotImplementedError

    def array(self, element: str, source: str, order: str) -> str:
        """The JSON array of `element` over the rows of `source` (FROM ... WHERE ...), in `order`; [] when none."""
        raise NotImplementedError

    def nested(self, subquery: str) -> str:
        """The JSON a scalar subquery makes, as a value of an enclosing object."""
        raise NotImplementedError

    def boolean(self, condition: str) -> str:
        raise NotImplementedError

    def day(self, column: str) -> str:
        """A stored day as YYYY-MM-DD."""
        raise NotImplementedError

    def partial_day(self, start: str, precision: str) -> str:
        """A partial date as written to its precision: YYYY, YYYY-MM or YYYY-MM-DD."""
        raise NotImplementedError

    def base64(self, text: str, *, url_safe: bool = False) -> str:
        raise NotImplementedError

    def key_value(self, expression: str, kind: type) -> str:
        """A sort key's value as JSON text, as a cursor carries it."""
        raise NotImplementedError

    def array_of(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        """A JSON array of these JSON values, in order."""
        raise NotImplementedError


class PostgresJson(JsonSql):
    def object(self, pairs: Sequence[tuple[str, str]]) -> str:
        if len(pairs) * 2 > PG_MAX_ARGUMENTS:
            raise Unanswerable("more fields in one object than json_build_object takes")
        return "json_build_object(" + ", ".join(f"{literal(key)}, {value}" for key, value in pairs) + ")"

    def array(self, element: str, source: str, order: str) -> str:
        return f"coalesce((SELECT json_agg({element} ORDER BY {order}) FROM {source}), '[]'::json)"

    def nested(self, subquery: str) -> str:
        return f"({subquery})"

    def boolean(self, condition: str) -> str:
        return f"({condition})"

    def day(self, column: str) -> str:
        return f"to_char({column}, 'YYYY-MM-DD')"

    def partial_day(self, start: str, precision: str) -> str:
        return f"left(to_char({start}, 'YYYY-MM-DD'), CASE {precision} WHEN 'year' THEN 4 WHEN 'month' THEN 7 ELSE 10 END)"

    def base64(self, text: str, *, url_safe: bool = False) -> str:
        # PostgreSQL breaks base64 into lines of 76 characters; the line breaks are dropped.
        swapped = "E'+/\\n', '-_'" if url_safe else "E'\\n', ''"
        return f"translate(encode(convert_to({text}, 'UTF8'), 'base64'), {swapped})"

    def key_value(self, expression: str, kind: type) -> str:
        if kind is int:
            return f"({expression})::text"
        return f"'\"' || to_char({expression}, 'YYYY-MM-DD') || '\"'"

    def array_of(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        if len(values) > PG_MAX_ARGUMENTS:
            raise Unanswerable("more values in one list than json_build_array takes")
        return func.json_build_array(*values)


class SqliteJson(JsonSql):
    # SQLite's parser stack overflows on a page of measures with three levels of lists below it.
    max_lists = 3

    def object(self, pairs: Sequence[tuple[str, str]]) -> str:
        return "json_object(" + ", ".join(f"{literal(key)}, {value}" for key, value in pairs) + ")"

    def array(self, element: str, source: str, order: str) -> str:
        # SQLite before 3.44 takes no ORDER BY inside an aggregate; an ordered subquery feeds it in order.
        return f"(SELECT json_group_array(json(o)) FROM (SELECT {element} AS o FROM {source} ORDER BY {order}))"

    def nested(self, subquery: str) -> str:
        # A subquery's result is plain text to SQLite; json() marks it as JSON again.
        return f"json(({subquery}))"

    def boolean(self, condition: str) -> str:
        return f"json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)"

    def day(self, column: str) -> str:
        return column

    def partial_day(self, start: str, precision: str) -> str:
        return f"substr({start}, 1, CASE {precision} WHEN 'year' THEN 4 WHEN 'month' THEN 7 ELSE 10 END)"

    def base64(self, text: str, *, url_safe: bool = False) -> str:
        return f"{'demarche_base64url' if url_safe else 'demarche_base64'}({text})"

    def key_value(self, expression: str, kind: type) -> str:
        return f"json_quote({expression})"

    def array_of(self, values: Sequence[ColumnElement[Any]]) -> ColumnElement[Any]:
        return func.json_array(*(func.json(value) for value in values))


def sqlite_base64(text: str | None) -> str | None:
    """Registered on SQLite connections as demarche_base64."""
    return None if text is None else base64.b64encode(text.encode()).decode()


def sqlite_base64url(text: str | None) -> str | None:
    """Registered on SQLite connections as demarche_base64url."""
    return None if text is None else base64.urlsafe_b64encode(text.encode()).decode()


def json_sql(dialect: str) -> JsonSql:
    return SqliteJson() if dialect == "sqlite" else PostgresJson()
