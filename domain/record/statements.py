"""What officials and bodies said, verbatim, and about which measures."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.errors import Checks, Code
from domain.record import checks
from domain.record.values import PartialDate


class Channel(Enum):
    """How a statement was made public."""

    PRESS_BRIEFING = "press_briefing"
    SOCIAL_MEDIA_POST = "social_media_post"
    NEWS_AGENCY_REMARKS = "news_agency_remarks"
    SPEECH = "speech"
    DIPLOMATIC_NOTE = "diplomatic_note"
    WRITTEN_STATEMENT = "written_statement"
    INTERVIEW = "interview"


class Stance(Enum):
    """What a statement does with respect to the measures it is about."""

    ANNOUNCES = "announces"
    JUSTIFIES = "justifies"
    CONDEMNS = "condemns"
    THREATENS = "threatens"
    CONFIRMS = "confirms"
    DENIES = "denies"


@dataclass(slots=True, kw_only=True)
class Statement:
    """A quoted statement by a named person or a role, on behalf of a state or organisation.

    `channel` is None when the reports do not say how the statement was made.
    """

    on_behalf_of: str
    stance: Stance
    quote: str
    quote_language: str
    channel: Channel | None = None
    speaker_name: str | None = None
    speaker_role: str | None = None
    relayed_by: str | None = None
    said_on: PartialDate | None = None
    translation: str | None = None
    translation_language: str | None = None
    measure_ids: tuple[int, ...] = ()
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        found = Checks()
        named, role = self.speaker_name, self.speaker_role
        self.speaker_name = found.value(lambda: checks.text("speakerName", named))
        self.speaker_role = found.value(lambda: checks.text("speakerRole", role))
        if self.speaker_name is None and self.speaker_role is None and not found:
            found.add("speakerRole", Code.REQUIRED, "a statement names its speaker, or at least the speaker's role")
        self.relayed_by = found.value(lambda: checks.text("relayedBy", self.relayed_by))
        self.quote = found.value(lambda: checks.required_text("quote", self.quote, limit=checks.LONG_TEXT)) or self.quote
        quote_language = found.value(lambda: checks.language("quoteLanguage", self.quote_language, required=True))
        self.quote_language = quote_language or ""
        before = len(found.problems)
        translation, language = self.translation, self.translation_language
        self.translation = found.value(lambda: checks.text("translation", translation, limit=checks.LONG_TEXT))
        self.translation_language = found.value(lambda: checks.language("translationLanguage", language))
        if len(found.problems) == before and (self.translation is None) != (self.translation_language is None):
            found.add("translationLanguage", Code.FIELDS_GO_TOGETHER, "a translation and its language come together")
        with found.rule():
            checks.distinct_ids("measureIds", self.measure_ids)
        found.done()
        self.measure_ids = tuple(self.measure_ids)
