"""Actors: states (current and former) and international organisations."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum

from domain.errors import Checks, Code, InvalidInput
from domain.record import checks


class ActorKind(Enum):
    """What sort of actor takes or suffers a measure."""

    STATE = "state"
    FORMER_STATE = "former_state"
    ORGANISATION = "organisation"


_STATE_CODE = re.compile(r"[A-Z]{2,4}")
_ORGANISATION_CODE = re.compile(r"[A-Z][A-Z0-9]{1,11}")


def normalise_code(field: str, code: str) -> str:
    """Upper-case and strip a code; refuse what cannot be an actor code at all."""
    if not isinstance(code, str):
        raise InvalidInput(field, f"{field} is required", Code.REQUIRED)
    cleaned = code.strip().upper()
    if not _ORGANISATION_CODE.fullmatch(cleaned):
        raise InvalidInput(
            field, f"{field} {code!r} is not an actor code (ISO 3166 or an organisation's short code)", Code.INVALID_ACTOR_CODE
        )
    return cleaned


@dataclass(slots=True, kw_only=True)
class Actor:
    """A state or an organisation that can act, be acted upon, or speak.

    `code` is the natural key: the ISO 3166-1 alpha-2 code of a current state (or the
    user-assigned `XK` for Kosovo), the ISO 3166-3 four-letter code of a former state
    (so a reused alpha-2 such as `CS` never names two states), or an organisation's short code.
    """

    code: str
    kind: ActorKind
    name: str
    alpha3: str | None = None
    numeric: str | None = None
    official_name: str | None = None
    dissolved: date | None = None
    id: int | None = None
    version: int = 0

    def __post_init__(self) -> None:
        found = Checks()
        self.name = found.value(lambda: checks.required_text("name", self.name)) or self.name
        self.official_name = found.value(lambda: checks.text("officialName", self.official_name))
        if self.kind is ActorKind.ORGANISATION:
            if not _ORGANISATION_CODE.fullmatch(self.code):
                found.add("code", Code.INVALID_ACTOR_CODE, "an organisation code is 2 to 12 upper-case letters or digits")
        elif not _STATE_CODE.fullmatch(self.code):
            found.add("code", Code.INVALID_ACTOR_CODE, f"{self.code!r} is not an ISO 3166 state code")
        found.done()

    @property
    def is_state(self) -> bool:
        return self.kind is not ActorKind.ORGANISATION


CODE_PRIORITY = 0
ALPHA3_PRIORITY = {ActorKind.STATE: 1, ActorKind.FORMER_STATE: 2, ActorKind.ORGANISATION: 3}
"""How an actor code a caller gives is read: an actor's own code first (priority 0), then a current state's
alpha-3, then a former state's, then an organisation's. The stores apply the same ranks in SQL."""


def named_by(codes: Collection[str], actors: Iterable[Actor]) -> dict[str, Actor]:
    """The actor each of `codes` names among `actors`, by the priorities above; a code that names none is left out."""
    found: dict[str, tuple[int, Actor]] = {}
    for actor in actors:
        for code, priority in ((actor.code, CODE_PRIORITY), (actor.alpha3, ALPHA3_PRIORITY[actor.kind])):
            if code is not None and code in codes and (code not in found or priority < found[code][0]):
                found[code] = (priority, actor)
    return {code: actor for code, (_, actor) in found.items()}
