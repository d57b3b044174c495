"""Errors the domain raises; the edges translate them, never the other way round.

Every rule an input can break has one stable `Code`; a failed check is a `Problem` (where, which
rule, why), and `InvalidInput` carries every problem of an input, not just the first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from typing import TypeVar

T = TypeVar("T")


class Code(Enum):
    """A stable, machine-readable name for each rule of the record; the message beside it is for humans."""

    REQUIRED = "a required value is missing or null"
    BLANK = "a text that must say something is blank"
    TEXT_TOO_LONG = "a text is longer than its field allows"
    CONTROL_CHARACTERS = "a text holds a control character or a lone surrogate"
    INVALID_URL = "a URL is not an absolute http or https URL"
    INVALID_LANGUAGE_TAG = "a language is not a tag such as 'en' or 'pt-BR'"
    INVALID_DATE = "a date is not written YYYY, YYYY-MM or YYYY-MM-DD, or is no real date"
    YEAR_OUT_OF_RANGE = "a date or instant lies outside the years 1 to 9999"
    INVALID_NUMBER = "a number is not a whole number written in ASCII digits"
    INVALID_ID = "an ID is malformed, of another type, or out of range"
    INVALID_ACTOR_CODE = "an actor code is neither an ISO 3166 code nor an organisation's short code"
    INVALID_CHOICE = "a value is not one of the values its field allows"
    INVALID_SHAPE = "a value does not have the shape its field needs (an object, a list)"
    RESERVED_NAME = "a name is reserved for the server's own use"
    UNKNOWN_FIELD = "the input names a field the record does not have"
    IMMUTABLE_FIELD = "an edit tries to change a field that cannot change"
    HEADCOUNT_RANGE = "a headcount lies outside 0 to 100000"
    INVALID_HEADCOUNT = "a headcount's number does not fit its qualifier (an unknown one has none, the others need one)"
    HEADCOUNT_EXCEEDED = "more people are named than an exact headcount counts"
    REPEATED_ID = "a list names the same record twice"
    SELF_REFERENCE = "a record refers to itself where it cannot (a state against itself, a measure answering itself)"
    DATES_OUT_OF_ORDER = "a date lies before one it cannot precede (a deadline before the announcement, an end before a start)"
    FIELDS_GO_TOGETHER = "a field is given without another it needs"
    FIELDS_EXCLUDE = "fields are given together that exclude each other"
    STATE_MISMATCH = "records that must concern the same state concern different ones"
    NOT_A_STATE = "an actor is an organisation where a state is needed"
    NOT_AN_ORGANISATION = "an actor is a state where an organisation is needed"
    ANSWERS_FORWARD = "a measure answers one announced after it"
    ANSWER_CYCLE = "answer links would close a cycle"
    NOT_LINKED = "a link to remove is not there"
    NOT_RESTORABLE = "a history entry cannot be restored (only a deletion can)"
    NO_PERSONAL_DATA = "a kind of record holds no personal data to erase"
    MEMBERSHIPS_NOT_RECORDED = "an organisation's memberships are not recorded, so no answer about its members can be given"
    UNKNOWN_REFERENCE = "a record the input names does not exist"
    DUPLICATE = "a record with the same key exists already"
    ALREADY_LINKED = "a link to add is there already"
    OVERLAPPING_MEMBERSHIP = "a membership overlaps another spell of the same state in the same organisation"
    STILL_REFERENCED = "a record to delete is still referred to by others"
    STORED_DIFFERS = "a record of a file is stored with other content, and the import was not asked to replace it"
    AMBIGUOUS_MATCH = "a row without its id matches several stored records"
    DEPENDS_ON_REFUSED = "a line belongs to or depends on a record whose own line is refused"
    VERSION_CONFLICT = "the record changed since the version an edit named"
    CONTENDED = "another writer held a record this change needed at the same time; nothing was written, and running it again is safe"
    CONSTRAINT = "the change breaks a rule the store enforces"
    INVALID_VALUE = "a value cannot be stored"
    OUT_OF_HISTORY = "an instant to read the record at lies in the future, or before the history's first entry"
    INVALID_CURSOR = "a cursor is damaged, or was issued for another list or ordering"
    INVALID_PAGE = "a page request mixes directions or asks for a size out of range"
    TOO_MANY = "a list asks for more items than allowed"
    INVALID_ORDERING = "a list cannot be ordered as asked"
    INVALID_SEARCH = "a search has no words or is too long"
    INVALID_FORMAT = "a file is not in a format that is read"
    UNAVAILABLE = "the record store could not complete the change; retrying later may succeed"
    UNAUTHENTICATED = "no valid credentials were given where some are needed"
    FORBIDDEN = "the caller's role does not allow this"

    @property
    def description(self) -> str:
        """What breaking this rule means, for the schema's documentation."""
        return self.value


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: the input field at fault (a dotted path such as `headcount.value`), the rule, and why."""

    field: str
    code: Code
    message: str

    @property
    def path(self) -> tuple[str, ...]:
        """The field as a path, outermost first."""
        return tuple(self.field.split("."))

    def __str__(self) -> str:
        return f"{self.code.name} {self.field}: {self.message}"


class DomainError(Exception):
    """Base of every expected failure a use case can report."""

    code = Code.INVALID_VALUE

    def __init__(self, message: str, *, code: Code | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    """An input breaks one rule of the record or more; `problems` lists every one, `field`/`code`/`message` the first.

    `field` is the top input field of the first problem (`headcount` for `headcount.value`), as the schema names it.
    """

    def __init__(self, field: str, message: str, code: Code) -> None:
        super().__init__(message, code=code)
        self.field = field.split(".", 1)[0]
        self.problems: tuple[Problem, ...] = (Problem(field, code, message),)

    @classmethod
    def of(cls, problems: Iterable[Problem]) -> InvalidInput:
        """One error for several broken rules (at least one)."""
        found = tuple(problems)
        first = found[0]
        error = cls(first.field, first.message if len(found) == 1 else _summary(found), first.code)
        error.problems = found
        return error


def _summary(problems: tuple[Problem, ...]) -> str:
    return f"{len(problems)} rules are broken: " + "; ".join(problem.message for problem in problems)


class NotFound(DomainError):
    """A referenced record does not exist."""

    code = Code.UNKNOWN_REFERENCE

    def __init__(self, entity: str, key: object, field: str | None = None) -> None:
        super().__init__(f"{entity} {key!r} does not exist")
        self.entity = entity
        self.key = key
        self.field = field

    @property
    def problems(self) -> tuple[Problem, ...]:
        return (Problem(self.field or "input", self.code, self.message),)


class Conflict(DomainError):
    """The change contradicts the stored record (a duplicate, or a record still referenced)."""

    code = Code.DUPLICATE


class Contended(Conflict):
    """Two writers each waited for a record the other held; the store undid this one, and nothing was written. Running
    the whole change again is safe."""

    code = Code.CONTENDED


class StorageUnavailable(DomainError):
    """The record store failed for a reason that is not the caller's input."""

    code = Code.UNAVAILABLE


class StaleVersion(Conflict):
    """An edit named a version of the record that is no longer the current one."""

    code = Code.VERSION_CONFLICT

    def __init__(self, entity: str, key: object, expected: int, current: int) -> None:
        super().__init__(
            f"{entity} {key!r} is at version {current}, not {expected}: it changed since it was read; "
            "nothing was written. Read it again and reapply the change"
        )
        self.entity = entity
        self.key = key
        self.expected = expected
        self.current = current


class Unauthenticated(DomainError):
    """The caller gave no credentials where some are needed, or credentials that are not valid."""

    code = Code.UNAUTHENTICATED


def problems_of(error: DomainError) -> tuple[Problem, ...]:
    """The broken rules an error reports: its own list, or one problem on the whole input."""
    if isinstance(error, InvalidInput | NotFound):
        return error.problems
    return (Problem("input", error.code, error.message),)


class Checks:
    """Runs independent checks of one input and gathers every rule they find broken, to raise them together.

    `NotFound` is kept as it is when it is the only problem, so a lone missing reference is still
    reported as one; with other problems beside it, it becomes an `UNKNOWN_REFERENCE` problem.
    """

    def __init__(self, prefix: str = "") -> None:
        self.problems: list[Problem] = []
        self._prefix = prefix
        self._alone: NotFound | None = None

    def __bool__(self) -> bool:
        return bool(self.problems)

    def add(self, field: str, code: Code, message: str) -> None:
        """Note a broken rule found directly."""
        self.problems.append(Problem(self._prefix + field, code, message))

    def rule(self) -> _Rule:
        """Run the block; a failure of its rules is noted, not raised."""
        return _Rule(self)

    def note(self, error: InvalidInput | NotFound) -> None:
        """Note the rules an error reports broken."""
        self._alone = error if isinstance(error, NotFound) and not self.problems else None
        self.problems.extend(Problem(self._prefix + problem.field, problem.code, problem.message) for problem in error.problems)

    def value(self, check: Callable[[], T]) -> T | None:
        """The check's result, or None when it found a rule broken (noted)."""
        try:
            return check()
        except (InvalidInput, NotFound) as error:
            self.note(error)
            return None

    def done(self) -> None:
        """Raise every broken rule noted, if any."""
        if not self.problems:
            return
        if self._alone is not None and len(self.problems) == 1 and not self._prefix:
            raise self._alone
        raise InvalidInput.of(self.problems)


class _Rule:
    """`Checks.rule`'s block: a plain context manager, as a record's checks run for every record an import reads."""

    __slots__ = ("_checks",)

    def __init__(self, checks: Checks) -> None:
        self._checks = checks

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None) -> bool:
        if isinstance(error, InvalidInput | NotFound):
            self._checks.note(error)
            return True
        return False
