"""Value objects: dates known to a precision, and headcounts known to a qualifier."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from domain.errors import Code, InvalidInput

MAX_HEADCOUNT = 100_000
MAX_RECORD_ID = 2**31 - 1
"""The largest id a record can have: both databases store ids as 32-bit integers."""


class Precision(Enum):
    """How much of a date is known."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"


_PARTIAL_DATE = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
"""ASCII digits only: `\\d` and `int()` would also take other scripts' digits (`٢٠٢٢` as 2022)."""


def record_id(text: str) -> int | None:
    """The record id written as `text` (ASCII digits, at most MAX_RECORD_ID), or None when it cannot be one."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_RECORD_ID else None


@dataclass(frozen=True, slots=True, order=False)
class PartialDate:
    """A calendar date known to the year, the month or the day.

    A partial date stands for its whole span: "March 2022" is 2022-03-01..2022-03-31, not
    its first day. Comparisons between partial dates therefore speak of spans.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is out of range")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"day {self.day} is out of range for {self.year}-{self.month:02d}")

    @classmethod
    def parse(cls, field: str, value: str) -> PartialDate:
        """Read `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; anything else is invalid input for `field`."""
        match = _PARTIAL_DATE.match(value.strip())
        if match is None:
            raise InvalidInput(field, f"{field} {value!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD", Code.INVALID_DATE)
        year, month, day = (int(part) if part else None for part in match.groups())
        assert year is not None
        try:
            return cls(year, month, day)
        except ValueError as exc:
            code = Code.INVALID_DATE if 1 <= year <= 9999 else Code.YEAR_OUT_OF_RANGE
            raise InvalidInput(field, f"{field} {value!r} is not a real date: {exc}", code) from None

    @classmethod
    def of(cls, day: date) -> PartialDate:
        """The partial date known to the day."""
        return cls(day.year, day.month, day.day)

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def start(self) -> date:
        """The first day of the span."""
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def end(self) -> date:
        """The last day of the span."""
        if self.day is not None:
            assert self.month is not None
            return date(self.year, self.month, self.day)
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def certainly_before(self, other: PartialDate) -> bool:
        """True when every day of this span lies before every day of `other`."""
        return self.end < other.start

    def __str__(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text


class HeadcountQualifier(Enum):
    """How a headcount is known."""

    EXACT = "exact"
    APPROXIMATE = "approximate"
    AT_LEAST = "at_least"
    UNKNOWN = "unknown"


def _broken_headcount_rule(qualifier: HeadcountQualifier, value: object) -> tuple[Code, str] | None:
    """The rule a headcount of this qualifier and value would break, and why; None when it breaks none."""
    if qualifier is HeadcountQualifier.UNKNOWN:
        return None if value is None else (Code.INVALID_HEADCOUNT, "an unknown headcount has no number")
    if value is None:
        return Code.INVALID_HEADCOUNT, f"a headcount qualified {qualifier.value!r} needs a number"
    if isinstance(value, bool) or not isinstance(value, int):
        return Code.INVALID_NUMBER, "a headcount is a whole number"
    if not 0 <= value <= MAX_HEADCOUNT:
        return Code.HEADCOUNT_RANGE, f"a headcount lies between 0 and {MAX_HEADCOUNT}"
    return None


@dataclass(frozen=True, slots=True)
class Headcount:
    """How many people a measure concerns. An unknown headcount has no number, never 0."""

    qualifier: HeadcountQualifier
    value: int | None = None

    def __post_init__(self) -> None:
        broken = _broken_headcount_rule(self.qualifier, self.value)
        if broken is not None:
            raise ValueError(broken[1])

    @classmethod
    def build(cls, field: str, qualifier: HeadcountQualifier, value: int | None) -> Headcount:
        """Construct or raise `InvalidInput` naming `field` and the rule."""
        broken = _broken_headcount_rule(qualifier, value)
        if broken is not None:
            code, reason = broken
            # The rules of the number name the nested field; a number where none fits (or none where one must be) is the pair's.
            at = field if code is Code.INVALID_HEADCOUNT else f"{field}.value"
            raise InvalidInput(at, f"{field}: {reason}", code)
        return cls(qualifier, value)

    @classmethod
    def unknown(cls) -> Headcount:
        return cls(HeadcountQualifier.UNKNOWN)

    @classmethod
    def exactly(cls, value: int) -> Headcount:
        return cls(HeadcountQualifier.EXACT, value)

    @property
    def is_known(self) -> bool:
        return self.value is not None
