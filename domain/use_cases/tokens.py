"""Issuing, revoking and checking bearer tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.access import ApiToken, Principal, Role, digest, new_secret, plausible_secret
from domain.errors import Code, Conflict, NotFound, Unauthenticated
from domain.ports import TokenRepository, UnitOfWork

REFUSED = "the bearer token is unknown, revoked or malformed"


async def issue_token(name: str, role: Role, *, uow: UnitOfWork, created_by: str) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is not stored and cannot be shown again."""
    secret = new_secret()
    draft = ApiToken(name=name, role=role, digest=digest(secret), created_at=datetime.now(UTC), created_by=created_by)
    async with uow:
        if await uow.tokens.by_name(draft.name) is not None:
            raise Conflict(f"a token named {draft.name!r} exists; token names are unique, revoked ones included", code=Code.DUPLICATE)
        stored = await uow.tokens.add(draft)
        await uow.commit()
    return stored, secret


async def revoke_token(name: str, *, uow: UnitOfWork) -> ApiToken:
    """Revoke the token with this name; from then on it is refused. Revoking twice changes nothing."""
    async with uow:
        token = await uow.tokens.by_name(name.strip())
        if token is None:
            raise NotFound("ApiToken", name, "name")
        if token.revoked_at is None:
            token.revoked_at = datetime.now(UTC)
            token = await uow.tokens.revoke(token)
            await uow.commit()
    return token


async def list_tokens(*, uow: UnitOfWork) -> list[ApiToken]:
    async with uow:
        return await uow.tokens.all()


async def authenticate(secret: str, *, tokens: TokenRepository) -> Principal:
    """The principal a presented secret stands for, or `Unauthenticated` (never saying which check failed).

    Takes the repository itself, so a request checks its token on the connection it reads with.
    """
    if not plausible_secret(secret):
        raise Unauthenticated(REFUSED)
    token = await tokens.by_digest(digest(secret))
    if token is None or not token.active:
        raise Unauthenticated(REFUSED)
    return token.principal
