"""Who may do what: roles, the bearer tokens that carry them, and the principal of a request.

A token's secret is shown once, when it is issued; only its SHA-256 digest is stored. The
secrets are 256-bit random strings, so a fast digest is enough to make a stored hash useless
to whoever reads the database.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain import checks
from domain.errors import InvalidInput

SECRET_PREFIX = "dmr_"
RESERVED_NAMES = frozenset({"demarche", "cli", "import"})
"""Authors the history uses for changes made without a token, which no token may take."""


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
        self.name = checks.required_text("name", self.name, limit=100)
        if self.name.lower() in RESERVED_NAMES:
            raise InvalidInput("name", f"{self.name!r} is how the history names the server's own changes; choose another name")

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def principal(self) -> Principal:
        return Principal(self.name, self.role)


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
        raise InvalidInput(field, f"{value!r} is not a role: use {', '.join(role.value for role in Role)}") from None
