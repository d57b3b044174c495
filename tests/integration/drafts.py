"""The shared drafts (tests/drafts.py) with the adapter tests' own defaults: a persona non grata declaration,
a Reuters wire and a shorter quote, on which their expected rows and orderings rest."""

from __future__ import annotations

from typing import Any

from domain.record.expulsions import Expulsion, MeasureType, Wave
from domain.record.sources import Citation, Source
from domain.record.statements import Statement
from domain.record.values import PartialDate
from tests import drafts
from tests.drafts import diplomat, mission

__all__ = ["MARCH_23", "citation", "diplomat", "measure", "mission", "source", "statement", "wave"]

MARCH_23 = PartialDate(2022, 3, 23)


def measure(**fields: Any) -> Expulsion:
    """A persona non grata declaration by the US against twelve Russians on 23 March 2022."""
    return drafts.measure(**({"measure_type": MeasureType.PERSONA_NON_GRATA, "announced": MARCH_23} | fields))


def statement(**fields: Any) -> Statement:
    return drafts.statement(**({"quote": "This is an unhelpful step.", "speaker_role": "State Department spokesman"} | fields))


def source(**fields: Any) -> Source:
    return drafts.source(**({"publisher": "Reuters", "title": "Russia expels US diplomats"} | fields))


def citation(**fields: Any) -> Citation:
    return Citation(**fields)


def wave(name: str = "March 2022 solidarity expulsions", **fields: Any) -> Wave:
    return drafts.wave(name=name, **fields)
