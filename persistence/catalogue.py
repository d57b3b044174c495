"""The ISO 3166 state catalogue, read offline from pycountry."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import cache

import pycountry

from domain.actors import Actor, ActorKind

KOSOVO = Actor(code="XK", kind=ActorKind.STATE, name="Kosovo", alpha3="XKX", official_name="Republic of Kosovo")

ORGANISATIONS = (
    Actor(code="UN", kind=ActorKind.ORGANISATION, name="United Nations"),
    Actor(code="EU", kind=ActorKind.ORGANISATION, name="European Union"),
    Actor(code="NATO", kind=ActorKind.ORGANISATION, name="North Atlantic Treaty Organization"),
    Actor(code="OSCE", kind=ActorKind.ORGANISATION, name="Organization for Security and Co-operation in Europe"),
)


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
