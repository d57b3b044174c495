"""Which part of the record an export writes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.errors import Code, InvalidInput
from domain.read.filters import DateRange, ExpulsionFilter
from domain.record.actors import normalise_code
from domain.record.kinds import KINDS


@dataclass(frozen=True, slots=True)
class Selection:
    """Which part of the record an export writes.

    `kinds` keeps only those kinds of record. Any measure filter (a party, an actor, a target,
    an announcement period) selects the matching measures and, so that the file can be
    imported on its own, everything they need: the measures they answer (transitively), the
    statements about any selected measure (and the measures those are about), the citations
    of all of these and their sources, the missions, people and waves the measures name, and
    the actors any of them names.
    """

    kinds: frozenset[str] = frozenset(KINDS)
    party: str | None = None
    actor: str | None = None
    target: str | None = None
    announced: DateRange | None = None

    def __post_init__(self) -> None:
        unknown = sorted(self.kinds - set(KINDS))
        if unknown:
            raise InvalidInput("kind", f"{unknown[0]!r} is not a kind of record: use one of {', '.join(KINDS)}", Code.INVALID_CHOICE)
        for name in ("party", "actor", "target"):
            code = getattr(self, name)
            if code is not None:
                object.__setattr__(self, name, normalise_code(name, code))

    @property
    def narrows_measures(self) -> bool:
        return any(value is not None for value in (self.party, self.actor, self.target, self.announced))

    def measures(self, codes: Mapping[str, str]) -> ExpulsionFilter:
        """The measure filter, each code replaced by the code of the actor it names (`codes`)."""

        def code(value: str | None) -> tuple[str, ...] | None:
            return None if value is None else (codes[value],)

        return ExpulsionFilter(party=code(self.party), actor=code(self.actor), target=code(self.target), announced=self.announced)

    @property
    def codes(self) -> list[str]:
        """The actor codes the filter names."""
        return [code for code in (self.party, self.actor, self.target) if code is not None]
