"""Small reusable invariant checks that raise `InvalidInput` naming the field and the rule's code."""

from __future__ import annotations

import re
from collections.abc import Iterable

from domain.errors import Checks, Code, InvalidInput

SHORT_TEXT = 200
LONG_TEXT = 10_000
URL_TEXT = 2_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
"""C0 controls but tab and line breaks, DEL, and lone UTF-16 surrogates (which no database can store)."""
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def text(field: str, value: str | None, *, limit: int = SHORT_TEXT, required: bool = False) -> str | None:
    """Strip surrounding blanks; refuse empty required text and text over `limit` characters."""
    if value is None:
        if required:
            raise InvalidInput(field, f"{field} is required", Code.REQUIRED)
        return None
    cleaned = value.strip()
    if not cleaned:
        if required:
            raise InvalidInput(field, f"{field} must not be blank", Code.BLANK)
        return None
    found = Checks()
    if len(cleaned) > limit:
        found.add(field, Code.TEXT_TOO_LONG, f"{field} is {len(cleaned)} characters long; the limit is {limit}")
    if _CONTROL.search(cleaned):
        found.add(
            field,
            Code.CONTROL_CHARACTERS,
            f"{field} contains a control character or a lone surrogate (only tabs and line breaks are allowed)",
        )
    found.done()
    return cleaned


def required_text(field: str, value: str | None, *, limit: int = SHORT_TEXT) -> str:
    """Like `text`, for a field that must be present."""
    cleaned = text(field, value, limit=limit, required=True)
    assert cleaned is not None
    return cleaned


def distinct_ids(field: str, values: Iterable[int]) -> tuple[int, ...]:
    """Refuse a list that names the same record twice; keep the caller's order."""
    result = tuple(values)
    if len(set(result)) != len(result):
        raise InvalidInput(field, f"{field} names the same record more than once", Code.REPEATED_ID)
    return result


def url(field: str, value: str | None) -> str | None:
    """An absolute http(s) URL of sane length, or nothing."""
    cleaned = text(field, value, limit=URL_TEXT)
    if cleaned is not None and not cleaned.lower().startswith(("http://", "https://")):
        raise InvalidInput(field, f"{field} must be an absolute http or https URL", Code.INVALID_URL)
    return cleaned


def language(field: str, value: str | None, *, required: bool = False) -> str | None:
    """A BCP 47 style language tag such as `en`, `ru` or `pt-BR`."""
    cleaned = text(field, value, limit=35, required=required)
    if cleaned is None:
        return None
    if not _LANGUAGE_TAG.fullmatch(cleaned):
        raise InvalidInput(field, f"{field} {cleaned!r} is not a language tag such as 'en' or 'pt-BR'", Code.INVALID_LANGUAGE_TAG)
    primary, *rest = cleaned.split("-")
    return primary.lower() + "".join("-" + part for part in rest)
