"""Who is calling: bearer tokens read from each request, and the guards every root field passes.

Every mutation needs the editor role unless it asks for more; `build_schema` guards any
mutation field that was declared without a guard, so none can ship open. Reads are public
unless `DEMARCHE_READS_REQUIRE_TOKEN` is set; a request that presents a token that is not
valid is refused whatever it asks.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeout
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from api.graphql.errors import UnavailableError, UserError, whole
from domain.access import Principal, Role, plausible_secret
from domain.errors import Code, StorageUnavailable, Unauthenticated
from domain.ports import TokenRepository
from domain.use_cases.tokens import REFUSED, authenticate

RoleType = strawberry.enum(Role, name="TokenRole", description="What a token may do; each role may do all that the roles before it may.")

NO_TOKEN = "this needs a bearer token (Authorization: Bearer …); none was given"


@dataclass(frozen=True, slots=True)
class Caller:
    """The principal a request authenticated as; `refused` says why its credentials were not accepted."""

    principal: Principal | None = None
    refused: str | None = None
    unavailable: str | None = None
    """Set when the token could not be checked because the record store failed."""

    def refusal(self, needed: Role) -> tuple[str, str] | None:
        """None when the caller may act with `needed`; else the kind of refusal and its message."""
        if self.unavailable is not None:
            return "unavailable", self.unavailable
        if self.refused is not None:
            return "unauthenticated", self.refused
        if self.principal is None:
            return "unauthenticated", NO_TOKEN
        if not self.principal.role.allows(needed):
            held = self.principal.role.value
            return "forbidden", f"this needs the {needed.value} role; the token {self.principal.name!r} has the {held} role"
        return None


ANONYMOUS = Caller()


TokenCheck = Callable[[Callable[[TokenRepository], Awaitable[Principal]]], Awaitable[Principal]]
"""Runs a check against the token repository, in whatever transaction the caller reads with."""


def bearer_secret(authorization: str) -> str | None:
    """The secret of an `Authorization: Bearer <secret>` header (any case of the scheme, any blanks), or None."""
    scheme, _, secret = authorization.strip().partition(" ")
    return secret.strip() or None if scheme.lower() == "bearer" else None


async def identify(authorization: str | None, check: TokenCheck) -> Caller:
    """The caller an `Authorization` header stands for; a header that is not `Bearer <token>` is refused."""
    if authorization is None:
        return ANONYMOUS
    secret = bearer_secret(authorization)
    if secret is None:
        return Caller(refused=f"{REFUSED}; send `Authorization: Bearer <token>`")
    if not plausible_secret(secret):
        return Caller(refused=REFUSED)
    try:
        return Caller(principal=await check(lambda tokens: authenticate(secret, tokens=tokens)))
    except Unauthenticated as error:
        return Caller(refused=error.message)
    except StorageUnavailable as error:
        return Caller(unavailable=error.message)
    except (OSError, TimeoutError, SQLAlchemyTimeout):
        return Caller(unavailable="the record store is unavailable; the token could not be checked")


@strawberry.type(description="The request carried no valid bearer token where one is needed; nothing was read or written.")
class UnauthenticatedError(UserError):
    pass


@strawberry.type(description="The token is valid but its role does not allow this; nothing was read or written.")
class ForbiddenError(UserError):
    required_role: RoleType = strawberry.field(description="The least role that may do this.")


class RequireRole(FieldExtension):
    """Refuse a mutation, before its resolver runs, to a caller without `role`: as a typed result, never revealing any record."""

    def __init__(self, role: Role) -> None:
        self.role = role

    def _refused(self, info: Any) -> UnauthenticatedError | ForbiddenError | UnavailableError | None:
        refusal = info.context.caller.refusal(self.role)
        if refusal is None:
            return None
        kind, message = refusal
        if kind == "forbidden":
            return ForbiddenError(**whole(Code.FORBIDDEN, message), required_role=self.role)
        if kind == "unavailable":
            return UnavailableError(**whole(Code.UNAVAILABLE, message))
        return UnauthenticatedError(**whole(Code.UNAUTHENTICATED, message))

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        refused = self._refused(info)
        return refused if refused is not None else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any) -> Any:
        refused = self._refused(info)
        return refused if refused is not None else await next_(source, info, **kwargs)


class ReadAccess(FieldExtension):
    """Refuse a root query field to a caller whose token was refused, or to anyone without a token when reads need one."""

    @staticmethod
    def _check(info: Any) -> None:
        caller: Caller = info.context.caller
        if caller.unavailable is not None:
            raise GraphQLError(caller.unavailable, extensions={"code": "UNAVAILABLE"})
        if caller.refused is not None:
            raise GraphQLError(caller.refused, extensions={"code": "UNAUTHENTICATED"})
        if caller.principal is None and info.context.settings.reads_require_token:
            raise GraphQLError(NO_TOKEN, extensions={"code": "UNAUTHENTICATED"})

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        self._check(info)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Any, **kwargs: Any) -> Any:
        self._check(info)
        return await next_(source, info, **kwargs)


def require_admin(info: Any) -> Principal:
    """For a query only admins may make: the principal, or a GraphQL error saying why not."""
    refusal = info.context.caller.refusal(Role.ADMIN)
    if refusal is not None:
        kind, message = refusal
        raise GraphQLError(message, extensions={"code": kind.upper()})
    principal: Principal = info.context.caller.principal
    return principal


def admin_mutation(description: str) -> Any:
    """A mutation only admins may run."""
    return strawberry.mutation(description=f"{description} Needs the admin role.", extensions=[RequireRole(Role.ADMIN)])


def guard_fields(fields: list[StrawberryField], default: Callable[[], FieldExtension], kind: type[FieldExtension]) -> None:
    """Give every field without an extension of `kind` the `default` one (idempotent)."""
    for field in fields:
        if not any(isinstance(extension, kind) for extension in field.extensions):
            field.extensions.append(default())
