"""Adding and removing one id in a record's list of linked ids."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from domain.errors import Code, Conflict, InvalidInput


def adding(field: str, id: int, describe: str) -> Callable[[Any], Mapping[str, object]]:
    """A revision that appends `id` to the tuple `field`, refusing a duplicate link."""

    def revision(current: Any) -> Mapping[str, object]:
        linked: tuple[int, ...] = getattr(current, field)
        if id in linked:
            raise Conflict(f"{describe} {id} is already linked", code=Code.ALREADY_LINKED)
        return {field: (*linked, id)}

    return revision


def removing(field: str, id: int, describe: str, input_field: str) -> Callable[[Any], Mapping[str, object]]:
    """A revision that drops `id` from the tuple `field`, refusing a link that is not there."""

    def revision(current: Any) -> Mapping[str, object]:
        linked: tuple[int, ...] = getattr(current, field)
        if id not in linked:
            raise InvalidInput(input_field, f"{describe} {id} is not linked", Code.NOT_LINKED)
        return {field: tuple(other for other in linked if other != id)}

    return revision
