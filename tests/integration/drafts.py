"""Unsaved domain records with plausible defaults; each test overrides only what it is about."""

from __future__ import annotations

from typing import Any

from domain.record.diplomats import Diplomat, StaffCategory
from domain.record.expulsions import Expulsion, MeasureType, Wave
from domain.record.missions import Mission, MissionKind
from domain.record.sources import Citation, Source, SourceKind
from domain.record.statements import Stance, Statement
from domain.record.values import Headcount, PartialDate

MARCH_23 = PartialDate(2022, 3, 23)


def measure(**fields: Any) -> Expulsion:
    """A persona non grata declaration by the US against twelve Russians on 23 March 2022."""
    defaults: dict[str, Any] = {
        "actor": "US",
        "target": "RU",
        "measure_type": MeasureType.PERSONA_NON_GRATA,
        "announced": MARCH_23,
        "headcount": Headcount.exactly(12),
    }
    return Expulsion(**{**defaults, **fields})


def statement(**fields: Any) -> Statement:
    defaults: dict[str, Any] = {
        "on_behalf_of": "US",
        "stance": Stance.CONDEMNS,
        "quote": "This is an unhelpful step.",
        "quote_language": "en",
        "speaker_role": "State Department spokesman",
    }
    return Statement(**{**defaults, **fields})


def source(**fields: Any) -> Source:
    defaults: dict[str, Any] = {"publisher": "Reuters", "title": "Russia expels US diplomats", "kind": SourceKind.WIRE_AGENCY}
    return Source(**{**defaults, **fields})


def citation(**fields: Any) -> Citation:
    return Citation(**fields)


def mission(**fields: Any) -> Mission:
    defaults: dict[str, Any] = {"sending_state": "RU", "host_state": "US", "kind": MissionKind.EMBASSY, "city": "Washington"}
    return Mission(**{**defaults, **fields})


def diplomat(**fields: Any) -> Diplomat:
    defaults: dict[str, Any] = {"sending_state": "RU", "staff_category": StaffCategory.DIPLOMATIC}
    return Diplomat(**{**defaults, **fields})


def wave(name: str = "March 2022 solidarity expulsions", **fields: Any) -> Wave:
    return Wave(name=name, **fields)
