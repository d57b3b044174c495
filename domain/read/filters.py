"""What a listing may be narrowed by; `None` means "any".

Date ranges follow one rule everywhere: a partial date counts as its whole span, and it
matches a range when the two spans overlap ("March 2022" matches 2022-03-15..2022-03-31).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from domain.errors import Code, InvalidInput
from domain.read.criteria import ActorCode, ActorCodes, ActorPair, Argument, OrganisationCode, RecordOf, Words, admits, criterion
from domain.record.actors import ActorKind
from domain.record.diplomats import Rank
from domain.record.expulsions import Expulsion, MeasureType, ReasonCategory
from domain.record.memberships import Membership
from domain.record.sources import Citation, figures
from domain.record.statements import Channel, Stance, Statement
from domain.record.values import HeadcountQualifier

MAX_LAG_DAYS = 100_000
"""Longer than any two dates the record can hold are apart."""


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive bounds; either may be open."""

    start: date | None = None
    end: date | None = None

    def __post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise InvalidInput("to", f"the range ends ({self.end}) before it starts ({self.start})", Code.DATES_OUT_OF_ORDER)

    def overlaps(self, start: date | None, end: date | None) -> bool:
        """A span [start, end] overlaps the range; a missing date matches only an open bound (as NULL compares in SQL)."""
        if self.end is not None and (start is None or start > self.end):
            return False
        return self.start is None or (end is not None and end >= self.start)


def span(start: date | None, end: date | None) -> DateRange | None:
    """The range two optional bounds give; None when neither is given."""
    return None if start is None and end is None else DateRange(start, end)


def one_of(value: Any) -> frozenset[Any]:
    return frozenset({value})


class Facts(Protocol):
    """The rest of the record some filters judge a record by."""

    def measure(self, id: int) -> Expulsion | None: ...

    def answering(self, measure: Expulsion) -> Iterable[Expulsion]:
        """The later measures that answer this one."""
        ...

    def citations(self, measure: Expulsion) -> Iterable[Citation]: ...

    def spells(self, organisation: str, state: str) -> Iterable[Membership]: ...

    def holds_words(self, text: str, words: str) -> bool:
        """Every word of `words` is in `text`, as the store's full-text search reads words."""
        ...


STATE_CODE = "A state code: alpha-2, alpha-3 or ISO 3166-3, any case."
ANY_CODE = "A state code (alpha-2, alpha-3 or ISO 3166-3) or organisation code."


def _equal(field: str) -> Any:
    """A criterion's predicate: the record's `field` equals the value."""
    return lambda record, value, facts: getattr(record, field) == value


def _within(field: str) -> Any:
    """A criterion's predicate: the record's `field` is one of the values."""
    return lambda record, values, facts: getattr(record, field) in values


@dataclass(frozen=True, slots=True)
class ActorFilter:
    kinds: frozenset[ActorKind] | None = criterion(_within("kind"))


@dataclass(frozen=True, slots=True)
class MissionFilter:
    sending_state: str | None = criterion(_equal("sending_state"), Argument("sending_state", ActorCode, STATE_CODE))
    host_state: str | None = criterion(_equal("host_state"), Argument("host_state", ActorCode, STATE_CODE))


@dataclass(frozen=True, slots=True)
class DiplomatFilter:
    sending_state: str | None = criterion(_equal("sending_state"), Argument("sending_state", ActorCode, STATE_CODE))
    mission_id: int | None = criterion(_equal("mission_id"), Argument("mission_id", RecordOf("Mission"), "Global ID of a Mission."))
    rank: Rank | None = criterion(_equal("rank"), Argument("rank", Rank, "Only people of this rank."))


def _member(organisation: str, state: str, measure: Expulsion, facts: Facts) -> bool:
    """`state` was a member of `organisation` on every day the measure's date may stand for."""
    start, end = measure.announced.start, measure.announced.end
    return any(spell.certain_on(start, end) for spell in facts.spells(organisation, state))


def _answers_within(measure: Expulsion, days: int, facts: Facts) -> bool:
    # Imported here: the analysis module reads this one's filters.
    from domain.read.analysis import lag

    earlier = (facts.measure(id) for id in measure.answers)
    return any(lag(answered, measure).certainly_within(days) for answered in earlier if answered is not None)


def _answered_within(measure: Expulsion, days: int, facts: Facts) -> bool:
    from domain.read.analysis import lag

    return any(lag(measure, later).certainly_within(days) for later in facts.answering(measure))


def _sources_disagree(measure: Expulsion, facts: Facts) -> bool:
    found = figures(citation.reported_headcount for citation in facts.citations(measure))
    return found is not None and not found.agree


def _holds_search(measure: Expulsion, words: str, facts: Facts) -> bool:
    own = f"{measure.stated_reason or ''} {measure.legal_basis.value} {measure.reason_category.value}"
    texts = [own, *(citation.excerpt or "" for citation in facts.citations(measure))]
    return any(facts.holds_words(text, words) for text in texts)


def _at_least(measure: Expulsion, least: int, facts: Facts) -> bool:
    count = measure.headcount.value
    return count is not None and count >= least


def _at_most(measure: Expulsion, most: int, facts: Facts) -> bool:
    count = measure.headcount.value
    return count is not None and measure.headcount.qualifier is not HeadcountQualifier.AT_LEAST and count <= most


@dataclass(frozen=True, slots=True)
class ExpulsionFilter:
    """The measures list's filters; the order of the fields is the order of the list's arguments."""

    actor: tuple[str, ...] | None = criterion(
        _within("actor"),
        Argument(
            "actor",
            ActorCodes,
            "Codes of states (alpha-2, alpha-3 or ISO 3166-3) or organisations: any of them matches. One code may be given alone.",
        ),
    )
    """Any of these actors."""
    target: tuple[str, ...] | None = criterion(
        _within("target"),
        Argument(
            "target",
            ActorCodes,
            "State codes (alpha-2, alpha-3 or ISO 3166-3, any case): any of them matches. One code may be given alone.",
        ),
    )
    """Any of these targets."""
    party: tuple[str, ...] | None = criterion(
        lambda m, codes, facts: m.actor in codes or m.target in codes,
        Argument("party", ActorCodes, "Codes of states or organisations: measures any of them took or suffered."),
    )
    """Any of these, as either the actor or the target."""
    member_of: str | None = criterion(
        lambda m, organisation, facts: _member(organisation, m.actor, m, facts),
        Argument(
            "member_of",
            OrganisationCode,
            "An organisation's code: only measures whose actor was its member on every day the announcement date "
            "may stand for (a measure dated '2020' does not count the United Kingdom as an EU member). An organisation "
            "whose memberships are not recorded (see Organisation.membershipRecorded), or a state's code, is refused "
            "(BAD_USER_INPUT), not answered with nothing.",
        ),
    )
    """The actor was a member of this organisation on the measure's date (see `domain.record.memberships`)."""
    target_member_of: str | None = criterion(
        lambda m, organisation, facts: _member(organisation, m.target, m, facts),
        Argument(
            "target_member_of",
            OrganisationCode,
            "An organisation's code: only measures whose target was its member, as for memberOf (an organisation whose "
            "memberships are not recorded is refused).",
        ),
    )
    """The target was a member of this organisation on the measure's date."""
    pair: tuple[str, str] | None = criterion(
        lambda m, pair, facts: sorted(pair) == sorted((m.actor, m.target)),
        Argument("between", ActorPair, "Two codes: measures between them, in either direction."),
    )
    """Measures between these two, in either direction."""
    announced: DateRange | None = criterion(
        lambda m, range, facts: range.overlaps(m.announced.start, m.announced.end),
        Argument("announced_from", date, "Announced on or after this day (span overlap)."),
        Argument("announced_to", date, "Announced on or before this day (span overlap)."),
        value=span,
    )
    measure_type: MeasureType | None = criterion(
        _equal("measure_type"), Argument("measure_type", MeasureType, "Only measures of this type.")
    )
    reason_categories: frozenset[ReasonCategory] | None = criterion(
        _within("reason_category"), Argument("reason_category", ReasonCategory, "Only measures on this ground."), value=one_of
    )
    qualifiers: frozenset[HeadcountQualifier] | None = criterion(
        lambda m, qualifiers, facts: m.headcount.qualifier in qualifiers,
        Argument("headcount_qualifier", HeadcountQualifier, "Only headcounts known this way."),
        value=one_of,
    )
    # An unknown headcount has no number, so no bound keeps it (as NULL compares in SQL).
    headcount_min: int | None = criterion(
        _at_least,
        Argument("headcount_min", int, "Headcount certainly at least this: an exact, approximate or 'at least' figure of this or more."),
    )
    headcount_max: int | None = criterion(
        _at_most,
        Argument(
            "headcount_max",
            int,
            "Headcount certainly at most this: an exact or approximate figure of this or less; an 'at least' figure has no "
            "upper bound, so it never matches.",
        ),
    )
    """A headcount bound keeps only measures whose number certainly meets it, as the lag filters keep lags certainly
    within their bound; unknown headcounts have no number to compare."""
    answers_something: bool | None = criterion(
        lambda m, wanted, facts: bool(m.answers) == wanted,
        Argument("answers_something", bool, "True: only measures that answer an earlier one; false: only those that do not."),
    )
    answered: bool | None = criterion(
        lambda m, wanted, facts: any(True for _ in facts.answering(m)) == wanted,
        Argument("answered", bool, "True: only measures some later measure answers; false: only unanswered ones."),
    )
    answers_within_days: int | None = criterion(
        _answers_within,
        Argument(
            "answers_within_days",
            int,
            "Only measures that answer an earlier one within this many days, however partial dates are read "
            "(the lag's `max`: from the earlier date's first possible day to this one's last).",
        ),
    )
    """Measures that answer an earlier one certainly within this many days (the lag's longest reading)."""
    answered_within_days: int | None = criterion(
        _answered_within,
        Argument(
            "answered_within_days", int, "Only measures that a later one answers within this many days, read as answersWithinDays is."
        ),
    )
    """Measures answered by a later one certainly within this many days."""
    sources_disagree: bool | None = criterion(
        lambda m, wanted, facts: _sources_disagree(m, facts) == wanted,
        Argument(
            "sources_disagree",
            bool,
            "True: only measures whose sources give different figures (another number, or another qualifier: "
            "'about 40' and '40' differ); false: only those whose sources give one figure or none.",
        ),
    )
    """True: measures whose sources give different figures; false: those whose sources give at most one figure."""
    wave_id: int | None = criterion(_equal("wave_id"), Argument("wave_id", RecordOf("Wave"), "Global ID of a Wave."))
    search: str | None = criterion(
        _holds_search,
        Argument(
            "search",
            Words,
            "Words to find (all of them, English stemming, read as plain words) in the measure's stated reason, "
            "legal basis and reason category, or in the excerpt of one of its citations.",
        ),
    )
    """Full-text search: every word in the measure's stated reason, legal basis and reason category, or in one citation's excerpt."""
    measure_types: frozenset[MeasureType] | None = criterion(_within("measure_type"))
    names_diplomat: int | None = criterion(lambda m, person, facts: person in m.diplomat_ids)
    target_mission_id: int | None = criterion(_equal("target_mission_id"))

    def __post_init__(self) -> None:
        for name in ("actor", "target", "party"):
            if isinstance(getattr(self, name), str):
                raise TypeError(f"{name} is a tuple of codes, not one code")
            if getattr(self, name) == ():
                raise InvalidInput(name, f"{name} needs at least one code", Code.REQUIRED)
        if self.headcount_min is not None and self.headcount_max is not None and self.headcount_max < self.headcount_min:
            raise InvalidInput("headcountMax", "headcountMax is below headcountMin", Code.DATES_OUT_OF_ORDER)
        for field, days in (("answersWithinDays", self.answers_within_days), ("answeredWithinDays", self.answered_within_days)):
            if days is not None and not 0 <= days <= MAX_LAG_DAYS:
                raise InvalidInput(field, f"{field} is a number of days from 0 to {MAX_LAG_DAYS}", Code.INVALID_PAGE)

    def admits(self, measure: Expulsion, facts: Facts) -> bool:
        return admits(self, measure, facts)


def _speaks(statement: Statement, needle: str, facts: Facts) -> bool:
    lowered = needle.lower()
    return any(lowered in (text or "").lower() for text in (statement.speaker_name, statement.speaker_role))


def _role_speaks(statement: Statement, needle: str, facts: Facts) -> bool:
    return needle.lower() in (statement.speaker_role or "").lower()


def _said_within(statement: Statement, range: DateRange, facts: Facts) -> bool:
    said = statement.said_on
    return range.overlaps(None, None) if said is None else range.overlaps(said.start, said.end)


def _trimmed(speaker: str) -> str | None:
    return speaker.strip() or None


@dataclass(frozen=True, slots=True)
class StatementFilter:
    """The statements list's filters; the order of the fields is the order of the list's arguments."""

    on_behalf_of: str | None = criterion(_equal("on_behalf_of"), Argument("on_behalf_of", ActorCode, ANY_CODE))
    measure_id: int | None = criterion(
        lambda s, measure, facts: measure in s.measure_ids,
        Argument("measure_id", RecordOf("Expulsion"), "Global ID of an Expulsion the statements are about."),
    )
    speaker: str | None = criterion(_speaks, Argument("speaker", str, "Part of the speaker's name or role, any case."), value=_trimmed)
    """Part of the speaker's name or role, case-insensitive."""
    speaker_role: str | None = criterion(_role_speaks)
    """Part of the speaker's role, case-insensitive: the `speaker` filter of a caller who may not read names."""
    channels: frozenset[Channel] | None = criterion(
        _within("channel"), Argument("channel", Channel, "Only statements made through this channel."), value=one_of
    )
    stances: frozenset[Stance] | None = criterion(
        _within("stance"), Argument("stance", Stance, "Only statements with this stance."), value=one_of
    )
    said_on: DateRange | None = criterion(
        _said_within,
        Argument("said_from", date, "Said on or after this day (span overlap)."),
        Argument("said_to", date, "Said on or before this day (span overlap)."),
        value=span,
    )
    search: str | None = criterion(
        lambda s, words, facts: facts.holds_words(f"{s.quote} {s.translation or ''}", words),
        Argument("search", Words, "Words to find in quotes and translations."),
    )
    """Full-text search over quotes and translations."""


@dataclass(frozen=True, slots=True)
class CitationFilter:
    source_id: int | None = criterion(_equal("source_id"))
    measure_id: int | None = criterion(_equal("measure_id"))
    statement_id: int | None = criterion(_equal("statement_id"))


@dataclass(frozen=True, slots=True)
class MembershipFilter:
    organisation: str | None = criterion(_equal("organisation"))
    state: str | None = criterion(_equal("state"))
    at: date | None = criterion(lambda spell, day, facts: spell.certain_on(day, day))
    """Only spells that certainly include this day (see `domain.record.memberships`)."""


@dataclass(frozen=True, slots=True)
class NoFilter:
    """For listings that take no filter yet."""
