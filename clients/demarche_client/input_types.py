from typing import Any, Optional

from pydantic import Field

from .base_model import BaseModel
from .enums import (
    Channel,
    HeadcountQualifier,
    LegalBasis,
    MeasureType,
    MembershipBasis,
    MissionKind,
    Rank,
    ReasonCategory,
    SourceKind,
    StaffCategory,
    Stance,
)


class CreateCitationInput(BaseModel):
    """A new citation of a source, backing exactly one measure or one statement."""

    source_id: str = Field(alias="sourceId")
    "ID of the Source cited."
    measure_id: Optional[str] = Field(alias="measureId", default=None)
    "ID of the Expulsion it backs."
    statement_id: Optional[str] = Field(alias="statementId", default=None)
    "ID of the Statement it backs."
    excerpt: Optional[str] = None
    "The passage relied on."
    reported_headcount: Optional["HeadcountInput"] = Field(
        alias="reportedHeadcount", default=None
    )
    "The headcount this source gave, for a measure."


class CreateDiplomatInput(BaseModel):
    """A new person sent by a state."""

    sending_state: str = Field(alias="sendingState")
    "Code of the state that sent the person."
    staff_category: StaffCategory = Field(alias="staffCategory")
    "Staff category."
    name: Optional[str] = None
    "The person's name, if public."
    rank: Optional[Rank] = None
    "Rank, if known."
    mission_id: Optional[str] = Field(alias="missionId", default=None)
    "ID of the Mission the person served at."


class CreateExpulsionInput(BaseModel):
    """A new measure. Dates are written YYYY, YYYY-MM or YYYY-MM-DD to the precision known."""

    actor: str
    "Code of the state or organisation taking the measure."
    target: str
    "Code of the state whose people or posts it targets."
    measure_type: MeasureType = Field(alias="measureType")
    "Which act it is."
    announced: str
    "When it was announced: YYYY, YYYY-MM or YYYY-MM-DD."
    headcount: "HeadcountInput"
    "How many people it concerns, with how that number is known."
    legal_basis: Optional[LegalBasis] = Field(alias="legalBasis", default=None)
    "The legal instrument; UNSTATED when omitted."
    reason_category: Optional[ReasonCategory] = Field(
        alias="reasonCategory", default=None
    )
    "The broad ground; UNSTATED when omitted."
    stated_reason: Optional[str] = Field(alias="statedReason", default=None)
    "The grounds as stated."
    target_mission_id: Optional[str] = Field(alias="targetMissionId", default=None)
    "ID of the target's Mission concerned."
    notified: Optional[str] = None
    "When the target was notified."
    deadline: Optional[str] = None
    "Deadline to leave; not before the announcement."
    departed: Optional[str] = None
    "When the people left."
    diplomat_ids: Optional[list[str]] = Field(alias="diplomatIds", default=None)
    "IDs of the named Diplomats it concerns."
    answers: Optional[list[str]] = None
    "IDs of the earlier Expulsions it answers."
    wave_id: Optional[str] = Field(alias="waveId", default=None)
    "ID of the Wave it belongs to."


class CreateMembershipInput(BaseModel):
    """A spell of a state's membership of an organisation, with the source its dates come from."""

    organisation: str
    "The organisation's code, e.g. 'EU'."
    state: str
    "The member state's code: alpha-2, alpha-3 or ISO 3166-3."
    joined: str
    "Its first day as a member: YYYY, YYYY-MM or YYYY-MM-DD."
    left: Optional[str] = None
    "Its last day as a member (inclusive); omit while it is one."
    source_publisher: str = Field(alias="sourcePublisher")
    "Who published the source of these dates."
    source_title: str = Field(alias="sourceTitle")
    "The source's title."
    source_url: Optional[str] = Field(alias="sourceUrl", default=None)
    "Where the source can be read: an absolute http(s) URL."
    source_checked: Optional[Any] = Field(alias="sourceChecked", default=None)
    "The day someone checked the spell's dates against the source; omit when no one has (the spell is then unverified)."
    basis: MembershipBasis = MembershipBasis.TREATY
    "What the membership rests on: a treaty (the default), or no treaty."


class CreateMissionInput(BaseModel):
    """A new mission."""

    sending_state: str = Field(alias="sendingState")
    "Code of the sending state (alpha-2, alpha-3 or ISO 3166-3)."
    host_state: str = Field(alias="hostState")
    "Code of the state where the post sits."
    kind: MissionKind
    "The kind of post."
    city: Optional[str] = None
    "City where the post sits."
    name: Optional[str] = None
    "The post's own name."
    accredited_to: Optional[str] = Field(alias="accreditedTo", default=None)
    "Code of the organisation the post is accredited to (required for a permanent mission)."


class CreateOrganisationInput(BaseModel):
    """A new international organisation."""

    code: str
    "Short code, 2 to 12 upper-case letters or digits (e.g. 'OSCE')."
    name: str
    "Common English name."
    official_name: Optional[str] = Field(alias="officialName", default=None)
    "Official name."


class CreateSourceInput(BaseModel):
    """A new source."""

    publisher: str
    "Who published it."
    title: str
    "Its title, or a description."
    kind: SourceKind
    "What sort of publisher."
    url: Optional[str] = None
    "Absolute http(s) URL."
    published: Optional[str] = None
    "When it was published: YYYY, YYYY-MM or YYYY-MM-DD."


class CreateStatementInput(BaseModel):
    """A new statement. At least the speaker's name or role is needed."""

    on_behalf_of: str = Field(alias="onBehalfOf")
    "Code of the state or organisation on whose behalf it was said."
    stance: Stance
    "What it does about the measures it concerns."
    quote: str
    "The verbatim quote in its original language."
    quote_language: str = Field(alias="quoteLanguage")
    "Language tag of the quote, e.g. 'en'."
    speaker_name: Optional[str] = Field(alias="speakerName", default=None)
    "The speaker's name."
    speaker_role: Optional[str] = Field(alias="speakerRole", default=None)
    "The speaker's role."
    channel: Optional[Channel] = None
    "How it was made public, if known."
    relayed_by: Optional[str] = Field(alias="relayedBy", default=None)
    "The outlet that relayed it."
    said_on: Optional[str] = Field(alias="saidOn", default=None)
    "When it was said: YYYY, YYYY-MM or YYYY-MM-DD."
    translation: Optional[str] = None
    "A translation of the quote."
    translation_language: Optional[str] = Field(
        alias="translationLanguage", default=None
    )
    "Language tag of the translation."
    measure_ids: Optional[list[str]] = Field(alias="measureIds", default=None)
    "IDs of the Expulsions it is about."


class CreateWaveInput(BaseModel):
    """A new wave of measures."""

    name: str
    "Name of the wave."
    description: Optional[str] = None
    "What the wave was."


class HeadcountInput(BaseModel):
    """A headcount: EXACT, APPROXIMATE and AT_LEAST need a value; UNKNOWN must have none."""

    qualifier: HeadcountQualifier
    "How the number is known."
    value: Optional[int] = None
    "A whole number of people, 0 or more; omit for UNKNOWN."


class TallySelection(BaseModel):
    """A selection of measures by the expulsion list's filters; none given selects every measure."""

    actor: Optional[list[str]] = None
    "Codes of states (alpha-2, alpha-3 or ISO 3166-3) or organisations: any of them matches. One code may be given alone."
    target: Optional[list[str]] = None
    "State codes (alpha-2, alpha-3 or ISO 3166-3, any case): any of them matches. One code may be given alone."
    party: Optional[list[str]] = None
    "Codes of states or organisations: measures any of them took or suffered."
    member_of: Optional[str] = Field(alias="memberOf", default=None)
    "An organisation's code: only measures whose actor was its member on every day the announcement date may stand for (a measure dated '2020' does not count the United Kingdom as an EU member). An organisation whose memberships are not recorded (see Organisation.membershipRecorded), or a state's code, is refused (BAD_USER_INPUT), not answered with nothing."
    target_member_of: Optional[str] = Field(alias="targetMemberOf", default=None)
    "An organisation's code: only measures whose target was its member, as for memberOf (an organisation whose memberships are not recorded is refused)."
    between: Optional[list[str]] = None
    "Two codes: measures between them, in either direction."
    announced_from: Optional[Any] = Field(alias="announcedFrom", default=None)
    "Announced on or after this day (span overlap)."
    announced_to: Optional[Any] = Field(alias="announcedTo", default=None)
    "Announced on or before this day (span overlap)."
    measure_type: Optional[MeasureType] = Field(alias="measureType", default=None)
    "Only measures of this type."
    reason_category: Optional[ReasonCategory] = Field(
        alias="reasonCategory", default=None
    )
    "Only measures on this ground."
    headcount_qualifier: Optional[HeadcountQualifier] = Field(
        alias="headcountQualifier", default=None
    )
    "Only headcounts known this way."
    headcount_min: Optional[int] = Field(alias="headcountMin", default=None)
    "Headcount certainly at least this: an exact, approximate or 'at least' figure of this or more."
    headcount_max: Optional[int] = Field(alias="headcountMax", default=None)
    "Headcount certainly at most this: an exact or approximate figure of this or less; an 'at least' figure has no upper bound, so it never matches."
    answers_something: Optional[bool] = Field(alias="answersSomething", default=None)
    "True: only measures that answer an earlier one; false: only those that do not."
    answered: Optional[bool] = None
    "True: only measures some later measure answers; false: only unanswered ones."
    answers_within_days: Optional[int] = Field(alias="answersWithinDays", default=None)
    "Only measures that answer an earlier one within this many days, however partial dates are read (the lag's `max`: from the earlier date's first possible day to this one's last)."
    answered_within_days: Optional[int] = Field(
        alias="answeredWithinDays", default=None
    )
    "Only measures that a later one answers within this many days, read as answersWithinDays is."
    sources_disagree: Optional[bool] = Field(alias="sourcesDisagree", default=None)
    "True: only measures whose sources give different figures (another number, or another qualifier: 'about 40' and '40' differ); false: only those whose sources give one figure or none."
    wave_id: Optional[str] = Field(alias="waveId", default=None)
    "Global ID of a Wave."
    search: Optional[str] = None
    "Words to find (all of them, English stemming, read as plain words) in the measure's stated reason, legal basis and reason category, or in the excerpt of one of its citations."


class UpdateActorInput(BaseModel):
    """Changes to an actor's names; its codes and kind are fixed."""

    name: Optional[str] = None
    "Common English name. Omit to keep the current value."
    official_name: Optional[str] = Field(alias="officialName", default=None)
    "Official name. Omit to keep the current value."


class UpdateCitationInput(BaseModel):
    """Changes to a citation; omitted fields stay as they are."""

    source_id: Optional[str] = Field(alias="sourceId", default=None)
    "ID of the Source cited. Omit to keep the current value."
    measure_id: Optional[str] = Field(alias="measureId", default=None)
    "ID of the Expulsion it backs. Omit to keep the current value."
    statement_id: Optional[str] = Field(alias="statementId", default=None)
    "ID of the Statement it backs. Omit to keep the current value."
    excerpt: Optional[str] = None
    "The passage relied on. Omit to keep the current value."
    reported_headcount: Optional["HeadcountInput"] = Field(
        alias="reportedHeadcount", default=None
    )
    "The headcount this source gave, for a measure. Omit to keep the current value."


class UpdateDiplomatInput(BaseModel):
    """Changes to a person; omitted fields stay as they are."""

    sending_state: Optional[str] = Field(alias="sendingState", default=None)
    "Code of the state that sent the person. Omit to keep the current value."
    staff_category: Optional[StaffCategory] = Field(alias="staffCategory", default=None)
    "Staff category. Omit to keep the current value."
    name: Optional[str] = None
    "The person's name, if public. Omit to keep the current value."
    rank: Optional[Rank] = None
    "Rank, if known. Omit to keep the current value."
    mission_id: Optional[str] = Field(alias="missionId", default=None)
    "ID of the Mission the person served at. Omit to keep the current value."


class UpdateExpulsionInput(BaseModel):
    """Changes to a measure; omitted fields stay as they are."""

    actor: Optional[str] = None
    "Code of the state or organisation taking the measure. Omit to keep the current value."
    target: Optional[str] = None
    "Code of the state whose people or posts it targets. Omit to keep the current value."
    measure_type: Optional[MeasureType] = Field(alias="measureType", default=None)
    "Which act it is. Omit to keep the current value."
    announced: Optional[str] = None
    "When it was announced: YYYY, YYYY-MM or YYYY-MM-DD. Omit to keep the current value."
    headcount: Optional["HeadcountInput"] = None
    "How many people it concerns, with how that number is known. Omit to keep the current value."
    legal_basis: Optional[LegalBasis] = Field(alias="legalBasis", default=None)
    "The legal instrument; UNSTATED when omitted. Omit to keep the current value."
    reason_category: Optional[ReasonCategory] = Field(
        alias="reasonCategory", default=None
    )
    "The broad ground; UNSTATED when omitted. Omit to keep the current value."
    stated_reason: Optional[str] = Field(alias="statedReason", default=None)
    "The grounds as stated. Omit to keep the current value."
    target_mission_id: Optional[str] = Field(alias="targetMissionId", default=None)
    "ID of the target's Mission concerned. Omit to keep the current value."
    notified: Optional[str] = None
    "When the target was notified. Omit to keep the current value."
    deadline: Optional[str] = None
    "Deadline to leave; not before the announcement. Omit to keep the current value."
    departed: Optional[str] = None
    "When the people left. Omit to keep the current value."
    diplomat_ids: Optional[list[str]] = Field(alias="diplomatIds", default=None)
    "IDs of the named Diplomats it concerns. Omit to keep the current value."
    answers: Optional[list[str]] = None
    "IDs of the earlier Expulsions it answers. Omit to keep the current value."
    wave_id: Optional[str] = Field(alias="waveId", default=None)
    "ID of the Wave it belongs to. Omit to keep the current value."


class UpdateMissionInput(BaseModel):
    """Changes to a mission; omitted fields stay as they are."""

    sending_state: Optional[str] = Field(alias="sendingState", default=None)
    "Code of the sending state (alpha-2, alpha-3 or ISO 3166-3). Omit to keep the current value."
    host_state: Optional[str] = Field(alias="hostState", default=None)
    "Code of the state where the post sits. Omit to keep the current value."
    kind: Optional[MissionKind] = None
    "The kind of post. Omit to keep the current value."
    city: Optional[str] = None
    "City where the post sits. Omit to keep the current value."
    name: Optional[str] = None
    "The post's own name. Omit to keep the current value."
    accredited_to: Optional[str] = Field(alias="accreditedTo", default=None)
    "Code of the organisation the post is accredited to (required for a permanent mission). Omit to keep the current value."


class UpdateSourceInput(BaseModel):
    """Changes to a source; omitted fields stay as they are."""

    publisher: Optional[str] = None
    "Who published it. Omit to keep the current value."
    title: Optional[str] = None
    "Its title, or a description. Omit to keep the current value."
    kind: Optional[SourceKind] = None
    "What sort of publisher. Omit to keep the current value."
    url: Optional[str] = None
    "Absolute http(s) URL. Omit to keep the current value."
    published: Optional[str] = None
    "When it was published: YYYY, YYYY-MM or YYYY-MM-DD. Omit to keep the current value."


class UpdateStatementInput(BaseModel):
    """Changes to a statement; omitted fields stay as they are."""

    on_behalf_of: Optional[str] = Field(alias="onBehalfOf", default=None)
    "Code of the state or organisation on whose behalf it was said. Omit to keep the current value."
    stance: Optional[Stance] = None
    "What it does about the measures it concerns. Omit to keep the current value."
    quote: Optional[str] = None
    "The verbatim quote in its original language. Omit to keep the current value."
    quote_language: Optional[str] = Field(alias="quoteLanguage", default=None)
    "Language tag of the quote, e.g. 'en'. Omit to keep the current value."
    speaker_name: Optional[str] = Field(alias="speakerName", default=None)
    "The speaker's name. Omit to keep the current value."
    speaker_role: Optional[str] = Field(alias="speakerRole", default=None)
    "The speaker's role. Omit to keep the current value."
    channel: Optional[Channel] = None
    "How it was made public, if known. Omit to keep the current value."
    relayed_by: Optional[str] = Field(alias="relayedBy", default=None)
    "The outlet that relayed it. Omit to keep the current value."
    said_on: Optional[str] = Field(alias="saidOn", default=None)
    "When it was said: YYYY, YYYY-MM or YYYY-MM-DD. Omit to keep the current value."
    translation: Optional[str] = None
    "A translation of the quote. Omit to keep the current value."
    translation_language: Optional[str] = Field(
        alias="translationLanguage", default=None
    )
    "Language tag of the translation. Omit to keep the current value."
    measure_ids: Optional[list[str]] = Field(alias="measureIds", default=None)
    "IDs of the Expulsions it is about. Omit to keep the current value."


class UpdateWaveInput(BaseModel):
    """Changes to a wave; omitted fields stay as they are."""

    name: Optional[str] = None
    "Name of the wave. Omit to keep the current value."
    description: Optional[str] = None
    "What the wave was. Omit to keep the current value."


CreateCitationInput.model_rebuild()
CreateExpulsionInput.model_rebuild()
UpdateCitationInput.model_rebuild()
UpdateExpulsionInput.model_rebuild()
