"""Sources and the citations that tie them to measures and statements."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from domain.errors import Checks, Code
from domain.record import checks
from domain.record.values import Headcount, PartialDate


class SourceKind(Enum):
    """What sort of publisher a source is; it bears on how far to trust it."""

    OFFICIAL = "official"
    WIRE_AGENCY = "wire_agency"
    MEDIA = "media"
    STATE_MEDIA = "state_media"
    SOCIAL_MEDIA = "social_media"


@dataclass(slots=True, kw_only=True)
class Source:
    """A published document the record relies on."""

    publisher: str
    title: str
    kind: SourceKind
    url: str | None = None
    published: PartialDate | None = None
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        self.publisher = checks.required_text("publisher", self.publisher)
        self.title = checks.required_text("title", self.title, limit=500)
        self.url = checks.url("url", self.url)


@dataclass(slots=True, kw_only=True)
class Citation:
    """A source backing one measure or one statement, with what that source said.

    `reported_headcount` is the figure this source gave, which may differ from the
    measure's preferred headcount.
    """

    source_id: int
    measure_id: int | None = None
    statement_id: int | None = None
    excerpt: str | None = None
    reported_headcount: Headcount | None = None
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        found = Checks()
        if (self.measure_id is None) == (self.statement_id is None):
            found.add("measureId", Code.FIELDS_EXCLUDE, "a citation backs exactly one measure or one statement")
        if self.reported_headcount is not None and self.statement_id is not None:
            found.add("reportedHeadcount", Code.FIELDS_EXCLUDE, "only a citation of a measure reports a headcount")
        self.excerpt = found.value(lambda: checks.text("excerpt", self.excerpt, limit=checks.LONG_TEXT))
        found.done()


@dataclass(frozen=True, slots=True)
class Figures:
    """The headcounts a measure's sources give, from the lowest to the highest.

    A figure is a number with its qualifier ("exactly 45", "at least 14"); citations that give
    no number (none reported, or reported as unknown) give no figure. The sources agree when
    they give one figure only: "about 40" and "40" are two figures.
    """

    lowest: Headcount
    highest: Headcount
    given: int
    """How many citations give a figure."""
    distinct: int
    """How many different figures they give."""

    @property
    def agree(self) -> bool:
        return self.distinct == 1


def figures(reported: Iterable[Headcount | None]) -> Figures | None:
    """The figures among these reported headcounts; None when no source gives a number."""
    given = [headcount for headcount in reported if headcount is not None and headcount.value is not None]
    if not given:
        return None
    ordered = sorted(given, key=lambda headcount: (headcount.value, headcount.qualifier.value))
    return Figures(lowest=ordered[0], highest=ordered[-1], given=len(given), distinct=len(set(given)))
