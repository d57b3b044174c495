"""The reference list of states a record may name, as a port."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from domain.record.actors import Actor


class StateCatalogue(Protocol):
    """Every current (ISO 3166-1) and former (ISO 3166-3) state, known offline."""

    def all_states(self) -> Iterable[Actor]:
        """Every state, current and former, as unsaved actors."""
        ...

    def lookup(self, code: str) -> Actor | None:
        """The state with this alpha-2, alpha-3 or former-state code, or None."""
        ...
