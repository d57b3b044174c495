"""What a listing may be narrowed by; `None` means "any"."""

from __future__ import annotations

from dataclasses import dataclass

from domain.actors import ActorKind
from domain.expulsions import MeasureType


@dataclass(frozen=True, slots=True)
class ActorFilter:
    kinds: frozenset[ActorKind] | None = None


@dataclass(frozen=True, slots=True)
class MissionFilter:
    sending_state: str | None = None
    host_state: str | None = None


@dataclass(frozen=True, slots=True)
class DiplomatFilter:
    sending_state: str | None = None
    mission_id: int | None = None


@dataclass(frozen=True, slots=True)
class ExpulsionFilter:
    actor: str | None = None
    target: str | None = None
    measure_type: MeasureType | None = None
    wave_id: int | None = None


@dataclass(frozen=True, slots=True)
class StatementFilter:
    on_behalf_of: str | None = None
    measure_id: int | None = None


@dataclass(frozen=True, slots=True)
class CitationFilter:
    source_id: int | None = None
    measure_id: int | None = None
    statement_id: int | None = None


@dataclass(frozen=True, slots=True)
class NoFilter:
    """For listings that take no filter yet."""
