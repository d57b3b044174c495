"""Typed failures that mutations return in place of a result, and the mapping from domain errors."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from enum import Enum
from typing import Any, TypeVar

import strawberry
from graphql import GraphQLError
from strawberry.relay import GlobalIDValueError

from domain.errors import Code, Conflict, DomainError, InvalidInput, NotFound, StaleVersion, StorageUnavailable, problems_of
from domain.errors import Problem as DomainProblem

T = TypeVar("T")
log = logging.getLogger(__name__)


_CODES: type[Enum] = Enum(  # type: ignore[misc]
    "ErrorCode",
    {code.name: strawberry.enum_value(code.name, description=code.description[0].upper() + code.description[1:] + ".") for code in Code},
)
ErrorCode = strawberry.enum(
    _CODES, description="The rule a failure breaks: a stable name for programs to match on, where the message is for humans."
)
"""One value per domain `Code`, with its description: the schema's rules are the domain's."""


def error_code(code: Code) -> Any:
    """The schema's ErrorCode for a domain code."""
    return ErrorCode[code.name]


@strawberry.type(description="One broken rule of the input: which field, which rule, and why.")
class Problem:
    field: str = strawberry.field(
        description=(
            "The input field at fault, as named in the schema; a field of a nested input is written with dots (e.g. 'headcount.value')."
        )
    )
    path: list[str] = strawberry.field(description="The same field as a path, outermost first (e.g. ['headcount', 'value']).")
    code: ErrorCode = strawberry.field(description="The rule the field breaks.")
    message: str = strawberry.field(description="What is wrong with the field, for a human.")

    @classmethod
    def from_domain(cls, problem: DomainProblem, rename: Mapping[str, str] | None = None) -> Problem:
        top, *rest = problem.path
        path = [(rename or {}).get(top, top), *rest]
        return cls(field=".".join(path), path=path, code=error_code(problem.code), message=brief(problem.message))


@strawberry.interface(description="A failure the client can act on; nothing was written.")
class UserError:
    message: str = strawberry.field(description="What went wrong, for a human; when several rules are broken, a summary of them all.")
    code: ErrorCode = strawberry.field(
        description="The rule broken (the first of them, when several are): stable, for programs to match on instead of the message."
    )
    problems: list[Problem] = strawberry.field(
        description=(
            "Every rule the input breaks, each with its field, code and message, in the order they were checked. "
            "A failure of the whole operation (a conflict, an outage, a refusal) is one problem on the field 'input'."
        )
    )


def whole(code: Code, message: str) -> dict[str, Any]:
    """The code and problems of a failure that concerns the whole operation rather than one field."""
    return {
        "message": message,
        "code": error_code(code),
        "problems": [Problem(field="input", path=["input"], code=error_code(code), message=message)],
    }


@strawberry.type(description="The input breaks rules of the record (every broken rule is in `problems`); nothing was written.")
class ValidationError(UserError):
    field: str = strawberry.field(
        description=(
            "The input field at fault (of the first problem, when there are several), as named in the schema (e.g. 'headcount', 'answers')."
        )
    )


@strawberry.type(description="A record the input names does not exist; nothing was written.")
class NotFoundError(UserError):
    field: str | None = strawberry.field(description="The input field that named the missing record.")
    entity: str = strawberry.field(description="The kind of record that was looked for.")
    key: str = strawberry.field(description="The id or code that was looked for.")


@strawberry.type(
    description="The change contradicts the stored record (a duplicate, or a record others still depend on); nothing was written."
)
class ConflictError(UserError):
    pass


@strawberry.type(
    description=(
        "The record changed since the version the edit named was read; nothing was written. "
        "Read the record again (its current version is given) and reapply the change."
    )
)
class VersionConflictError(UserError):
    entity: str = strawberry.field(description="The kind of record, e.g. 'Expulsion'.")
    key: str = strawberry.field(description="The record's id.")
    expected_version: int = strawberry.field(description="The version the edit named.")
    current_version: int = strawberry.field(description="The record's version now.")


@strawberry.type(description="The record store could not complete the change; nothing was written, and retrying later may succeed.")
class UnavailableError(UserError):
    pass


@strawberry.type(description="A record was deleted.")
class Deleted:
    id: strawberry.ID = strawberry.field(description="The global ID the record had.")


Failure = ValidationError | NotFoundError | ConflictError | VersionConflictError | UnavailableError


MAX_MESSAGE = 300
"""The longest error message sent; a longer one (which would echo a long input back) is cut in its middle."""


def brief(message: str) -> str:
    """`message`, cut to MAX_MESSAGE characters around an ellipsis when it is longer."""
    if len(message) <= MAX_MESSAGE:
        return message
    return message[: MAX_MESSAGE - 60] + " … " + message[-57:]


def failure(error: DomainError, fields: Mapping[str, str] | None = None) -> Failure:
    """The typed result for a domain error; `fields` renames the use case's field names to this mutation's arguments."""
    rename = fields or {}
    error.message = brief(error.message)
    common = {
        "message": error.message,
        "code": error_code(error.code),
        "problems": [Problem.from_domain(problem, rename) for problem in problems_of(error)],
    }
    if isinstance(error, InvalidInput):
        return ValidationError(**common, field=rename.get(error.field, error.field))
    if isinstance(error, NotFound):
        field = rename.get(error.field, error.field) if error.field is not None else None
        return NotFoundError(**common, field=field, entity=error.entity, key=str(error.key))
    if isinstance(error, StaleVersion):
        return VersionConflictError(
            **common, entity=error.entity, key=str(error.key), expected_version=error.expected, current_version=error.current
        )
    if isinstance(error, Conflict):
        return ConflictError(**common)
    if isinstance(error, StorageUnavailable):
        return UnavailableError(**common)
    return ValidationError(**common, field="input")


async def outcome(operation: Callable[[], Awaitable[T]], fields: Mapping[str, str] | None = None) -> T | Failure:
    """Run a use case and turn an expected failure into its typed result."""
    try:
        return await operation()
    except DomainError as error:
        return failure(error, fields)


def is_client_error(error: GraphQLError) -> bool:
    """Whether an error's message is meant for the client; every other error is masked.

    Errors without a path arose before execution (parsing, validation, coercing variables)
    and describe the request; errors in a resolver are the client's only when expected.
    """
    original = error.original_error
    if error.path is None or original is None or isinstance(original, DomainError | GlobalIDValueError | GraphQLError):
        return True
    log.error("unexpected error in %s", error.path, exc_info=original)
    return False


CODES: dict[type[DomainError], str] = {StorageUnavailable: "UNAVAILABLE", InvalidInput: "BAD_USER_INPUT", NotFound: "NOT_FOUND"}
"""The machine-readable `extensions.code` of a query error a domain error caused (a mutation returns a typed result instead)."""


GLOBAL_ID_ARGUMENTS = {"node": "id", "nodes": "ids"}
"""The argument of each root field that takes global IDs, which a malformed one is reported under."""


def should_mask(error: GraphQLError) -> bool:
    """Whether to mask an error (see `is_client_error`); an error a domain error caused gets its code on the way."""
    error.message = brief(error.message)
    code = next((code for kind, code in CODES.items() if isinstance(error.original_error, kind)), None)
    if isinstance(error.original_error, GlobalIDValueError):
        # A malformed global ID (`node(id: "")`, one of `nodes(ids:)`): Strawberry refuses it as it reads the argument.
        code = "BAD_USER_INPUT"
        argument = GLOBAL_ID_ARGUMENTS.get(str(error.path[-1])) if error.path else None
        if argument is not None:
            error.extensions = {**(error.extensions or {}), "argument": argument}
    if code is not None:
        error.extensions = {**(error.extensions or {}), "code": code}
    if isinstance(error.original_error, InvalidInput | NotFound) and error.original_error.field is not None:
        error.extensions = {**(error.extensions or {}), "argument": error.original_error.field}
    return not is_client_error(error)
