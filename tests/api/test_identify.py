"""Reading the caller from the Authorization header, without a server: every outcome is a typed caller."""

from __future__ import annotations

from types import TracebackType
from typing import Self, cast

from api.access import ANONYMOUS, NO_TOKEN, identify
from domain.access import Principal, Role
from domain.errors import StorageUnavailable
from domain.ports import UnitOfWork
from domain.use_cases.tokens import issue_token
from tests.fakes import FakeUnitOfWorkFactory


class BrokenStore:
    """A unit of work whose database is down."""

    async def __aenter__(self) -> Self:
        raise StorageUnavailable("the record store is unavailable; nothing was written")

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        return None


async def test_no_header_is_an_anonymous_caller() -> None:
    assert await identify(None, FakeUnitOfWorkFactory().reader) == ANONYMOUS
    assert ANONYMOUS.refusal(Role.READER) == ("unauthenticated", NO_TOKEN)


async def test_a_valid_token_is_its_principal_and_its_role_decides() -> None:
    units = FakeUnitOfWorkFactory()
    _, secret = await issue_token("alice", Role.EDITOR, uow=units(), created_by="cli")
    caller = await identify(f"bearer  {secret} ", units.reader)
    assert caller.principal == Principal("alice", Role.EDITOR)
    assert caller.refusal(Role.EDITOR) is None
    refusal = caller.refusal(Role.ADMIN)
    assert refusal is not None
    assert refusal[0] == "forbidden"
    assert "admin" in refusal[1]


async def test_a_header_that_is_not_a_bearer_token_or_names_no_token_is_refused() -> None:
    units = FakeUnitOfWorkFactory()
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer dmr_unknown-token-value-123", "token"):
        caller = await identify(header, units.reader)
        assert caller.principal is None
        assert caller.refused is not None
        assert caller.refusal(Role.READER) == ("unauthenticated", caller.refused)


async def test_a_token_that_cannot_be_checked_is_reported_as_unavailable_not_refused() -> None:
    caller = await identify("Bearer dmr_some-well-formed-secret-value", lambda: cast(UnitOfWork, BrokenStore()))
    assert caller.unavailable is not None
    assert caller.refusal(Role.READER) == ("unavailable", caller.unavailable)
