"""What an import keeps of the records it has read: their keys, lines and the few facts other records' rules read.

A streaming import never holds the records of a file: it holds, per kind, the line of each key (so a record
named twice, or a reference to a refused or missing one, is reported by its line) and, for the kinds whose
records others must fit (a mission, a person, a measure), the fields those rules read. Ids below `DENSE`
are kept in arrays indexed by id, a few bytes each; larger ids (rare: ids are dense in any real record) in
dictionaries.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from domain.exchange.format import Key
from domain.record.values import PartialDate

DENSE = 1 << 22
"""Ids below this are kept in arrays indexed by id; an array of one kind grows to at most DENSE entries."""


class IdColumn:
    """A whole number per id, 0 standing for none: an array indexed by id for small ids, a dictionary beyond."""

    def __init__(self, typecode: str = "I") -> None:
        self._typecode = typecode
        self._dense = array(typecode)
        self._sparse: dict[int, int] = {}

    def get(self, id: int) -> int:
        if 0 < id < DENSE:
            return self._dense[id] if id < len(self._dense) else 0
        return self._sparse.get(id, 0)

    def set(self, id: int, value: int) -> None:
        if 0 < id < DENSE:
            size = len(self._dense)
            if id >= size:
                grown = min(DENSE, max(id + 1, 2 * size, 1024))
                self._dense.frombytes(bytes(self._dense.itemsize * (grown - size)))
            self._dense[id] = value
        else:
            self._sparse[id] = value


class KeyLines:
    """The line of each record read, by kind and key (an id, an actor's code, a membership's key)."""

    def __init__(self) -> None:
        self._ids: dict[str, IdColumn] = {}
        self._others: dict[tuple[str, Key], int] = {}

    def get(self, item: tuple[str, Key], default: int | None = None) -> int | None:
        kind, key = item
        if isinstance(key, int):
            column = self._ids.get(kind)
            line = 0 if column is None else column.get(key)
            return line if line else default
        return self._others.get(item, default)

    def __setitem__(self, item: tuple[str, Key], line: int) -> None:
        kind, key = item
        if isinstance(key, int) and 0 < line < 2**32:
            self._ids.setdefault(kind, IdColumn()).set(key, line)
        else:
            self._others[item] = line

    def __contains__(self, item: object) -> bool:
        return isinstance(item, tuple) and self.get(item) is not None


@dataclass(frozen=True, slots=True)
class Glimpse:
    """The fields of a record of the file that the reference rules (`Reference.fit`) and the answer cycles read."""

    kind: str
    id: int
    sending_state: str | None = None
    announced: PartialDate | None = None
    answers: tuple[int, ...] = ()


def _packed(date: PartialDate) -> int:
    return date.year * 10_000 + (date.month or 0) * 100 + (date.day or 0)


def _unpacked(value: int) -> PartialDate:
    year, rest = divmod(value, 10_000)
    month, day = divmod(rest, 100)
    return PartialDate(year, month or None, day or None)


class Glimpses:
    """A glimpse of every good record of the file, by kind and id: that it is there, and the fields rules read."""

    def __init__(self) -> None:
        self._held: dict[str, IdColumn] = {}
        self._codes: list[str] = [""]
        self._code_numbers: dict[str, int] = {}
        self._states: dict[str, IdColumn] = {}
        self._announced = IdColumn("i")
        self._answers: dict[int, tuple[int, ...]] = {}

    def _code(self, code: str) -> int:
        number = self._code_numbers.get(code)
        if number is None:
            number = self._code_numbers[code] = len(self._codes)
            self._codes.append(code)
        return number

    def add(self, kind: str, entity: Any) -> None:
        id: int = entity.id
        self._held.setdefault(kind, IdColumn("B")).set(id, 1)
        if kind in ("Mission", "Diplomat"):
            self._states.setdefault(kind, IdColumn("H")).set(id, self._code(entity.sending_state))
        elif kind == "Expulsion":
            self._announced.set(id, _packed(entity.announced))
            if entity.answers:
                self._answers[id] = tuple(entity.answers)
            else:
                self._answers.pop(id, None)

    def holds(self, kind: str, id: int) -> bool:
        column = self._held.get(kind)
        return column is not None and column.get(id) == 1

    def get(self, kind: str, id: int) -> Glimpse | None:
        if not self.holds(kind, id):
            return None
        if kind in ("Mission", "Diplomat"):
            return Glimpse(kind, id, sending_state=self._codes[self._states[kind].get(id)])
        if kind == "Expulsion":
            return Glimpse(kind, id, announced=_unpacked(self._announced.get(id)), answers=self._answers.get(id, ()))
        return Glimpse(kind, id)

    def answering(self) -> dict[int, tuple[int, ...]]:
        """The file's measures that answer others, with the measures each answers."""
        return self._answers
