"""Sources and the citations that tie them to measures and statements."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain import checks
from domain.errors import InvalidInput
from domain.values import Headcount, PartialDate


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
        if (self.measure_id is None) == (self.statement_id is None):
            raise InvalidInput("measureId", "a citation backs exactly one measure or one statement")
        if self.reported_headcount is not None and self.statement_id is not None:
            raise InvalidInput("reportedHeadcount", "only a citation of a measure reports a headcount")
        self.excerpt = checks.text("excerpt", self.excerpt, limit=checks.LONG_TEXT)
