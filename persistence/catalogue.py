"""The ISO 3166 state catalogue, read offline from pycountry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import pycountry

from domain.record.actors import Actor, ActorKind
from domain.record.memberships import Membership, MembershipBasis
from domain.record.values import PartialDate

KOSOVO = Actor(code="XK", kind=ActorKind.STATE, name="Kosovo", alpha3="XKX", official_name="Republic of Kosovo")

ORGANISATIONS = (
    Actor(code="UN", kind=ActorKind.ORGANISATION, name="United Nations"),
    Actor(code="EU", kind=ActorKind.ORGANISATION, name="European Union"),
    Actor(code="NATO", kind=ActorKind.ORGANISATION, name="North Atlantic Treaty Organization"),
    Actor(code="OSCE", kind=ActorKind.ORGANISATION, name="Organization for Security and Co-operation in Europe"),
    Actor(code="COE", kind=ActorKind.ORGANISATION, name="Council of Europe"),
    Actor(code="CSTO", kind=ActorKind.ORGANISATION, name="Collective Security Treaty Organization"),
    Actor(code="G7", kind=ActorKind.ORGANISATION, name="Group of Seven"),
    Actor(code="G8", kind=ActorKind.ORGANISATION, name="Group of Eight"),
    Actor(code="FVEY", kind=ActorKind.ORGANISATION, name="Five Eyes"),
)
"""The organisations loaded into an empty record (and added by migration 0008 to one whose actors are loaded);
persistence/data/memberships.json holds the spells of every one but the UN and the OSCE."""


def _withdrawn(text: str | None) -> date | None:
    if not text:
        return None
    parts = [int(part) for part in text.split("-")]
    return date(parts[0], parts[1] if len(parts) > 1 else 12, parts[2] if len(parts) > 2 else 31)


@cache
def _states() -> tuple[Actor, ...]:
    current = [
        Actor(
            code=country.alpha_2,
            kind=ActorKind.STATE,
            name=country.name,
            alpha3=country.alpha_3,
            numeric=country.numeric,
            official_name=getattr(country, "official_name", None),
        )
        for country in pycountry.countries
    ]
    former = [
        Actor(
            code=country.alpha_4,
            kind=ActorKind.FORMER_STATE,
            name=country.name,
            alpha3=getattr(country, "alpha_3", None),
            numeric=getattr(country, "numeric", None),
            dissolved=_withdrawn(getattr(country, "withdrawal_date", None)),
        )
        for country in pycountry.historic_countries
    ]
    return (*current, KOSOVO, *former)


class IsoStateCatalogue:
    """Current states by alpha-2 (plus Kosovo's `XK`), former states by their ISO 3166-3 code."""

    def all_states(self) -> Iterator[Actor]:
        for state in _states():
            yield Actor(**{name: getattr(state, name) for name in Actor.__dataclass_fields__})

    def lookup(self, code: str) -> Actor | None:
        wanted = code.upper()
        for state in self.all_states():
            if wanted == state.code or wanted == state.alpha3:
                return state
        return None


@cache
def membership_data() -> dict[str, Any]:
    """The curated memberships (persistence/data/memberships.json): each spell with its source."""
    data: dict[str, Any] = json.loads(resources.files("persistence").joinpath("data/memberships.json").read_text(encoding="utf-8"))
    return data


def reference_memberships() -> list[Membership]:
    """The curated memberships as unsaved entities, each checked by the entity's own rules."""
    data = membership_data()
    found = []
    for spell in data["memberships"]:
        source = data["sources"][spell["source"]]
        found.append(
            Membership(
                organisation=spell["organisation"],
                state=spell["state"],
                joined=PartialDate.parse("joined", spell["joined"]),
                left=None if spell["left"] is None else PartialDate.parse("left", spell["left"]),
                source_publisher=source["publisher"],
                source_title=source["title"],
                source_url=source["url"],
                source_checked=None if source.get("checked") is None else date.fromisoformat(source["checked"]),
                basis=MembershipBasis(spell.get("basis", MembershipBasis.TREATY.value)),
            )
        )
    return found
