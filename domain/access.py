"""Who may do what: roles, the bearer tokens that carry them, and the principal of a request.

A token's secret is shown once, when it is issued; only its SHA-256 digest is stored. The
secrets are 256-bit random strings, so a fast digest is enough to make a stored hash useless
to whoever reads the database.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain.errors import Code, InvalidInput
from domain.record import checks

SECRET_PREFIX = "dmr_"
RESERVED_NAMES = frozenset({"demarche", "cli", "import"})
"""Authors the history uses for changes made without a token, which no token may take."""
NAME_LIMIT = 100
UNNAMED = {"Cc": "a control character", "Co": "a private-use character", "Cs": "a surrogate", "Cn": "an unassigned code point"}
"""How to name, by its Unicode category, a character that has no name of its own."""


class Role(Enum):
    """What a token may do; each role may do everything the roles before it may."""

    READER = "reader"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request: a token's name and role."""

    name: str
    role: Role


@dataclass(slots=True, kw_only=True)
class ApiToken:
    """A named bearer token. `revoked_at` is set once and for good."""

    name: str
    role: Role
    digest: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        # A token read back keeps the name it was stored under, so one named before a rule was
        # tightened can still be listed, used and revoked.
        if self.id is None:
            self.name = token_name("name", self.name)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.role)


def token_name(field: str, value: str) -> str:
    """A token's name as it is stored: NFKC-normalised, trimmed, printable, and not one of the history's own authors.

    The history records changes under this name, so a name must read as what it is: NFKC folds
    compatibility forms (`import` spelt in fullwidth letters, U+FF49 U+FF4D …, becomes `import`),
    and every character that is not printable is refused rather than silently dropped — C0 and C1
    controls, zero-width and bidirectional formatting characters, line and paragraph separators. Case is kept, and names that
    differ only in case are distinct tokens, but a reserved name is refused in any case
    (`Import`): in a history listing it would pass for the server's own author.
    """
    name = unicodedata.normalize("NFKC", value)
    hidden = next((character for character in name if not character.isprintable()), None)
    if hidden is not None:
        code = f"U+{ord(hidden):04X}"
        described = unicodedata.name(hidden, "") or UNNAMED.get(unicodedata.category(hidden), "an unnamed character")
        raise InvalidInput(
            field, f"{field} contains {code} ({described}); a token name may hold only printable characters", Code.CONTROL_CHARACTERS
        )
    name = checks.required_text(field, name, limit=NAME_LIMIT)
    folded = unicodedata.normalize("NFKC", name.casefold())
    if folded in RESERVED_NAMES:
        given = value.strip()
        raise InvalidInput(
            field,
            f"{given!r} reads as {folded!r}, the name the history gives the server's own changes; choose another name",
            Code.RESERVED_NAME,
        )
    return name


def new_secret() -> str:
    """A fresh token secret: a fixed prefix (so leaked tokens are easy to scan for) and 256 random bits."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def plausible_secret(secret: str) -> bool:
    """Whether a presented string has the shape of a secret this module issues."""
    return secret.startswith(SECRET_PREFIX) and 20 <= len(secret) <= 200 and secret.isascii() and secret.isprintable()


def role_named(field: str, value: str) -> Role:
    try:
        return Role(value.lower())
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a role: use {', '.join(role.value for role in Role)}", Code.INVALID_CHOICE) from None
