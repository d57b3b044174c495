"""Reading the caller from the Authorization header, without a server: every outcome is a typed caller."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from api.limits.access import ANONYMOUS, NO_TOKEN, TokenCheck, identify
from domain.access import Principal, Role
from domain.errors import StorageUnavailable
from domain.ports import TokenRepository
from domain.use_cases.tokens import issue_token
from tests.fakes import FakeUnitOfWorkFactory


def checked_in(uow_factory: FakeUnitOfWorkFactory) -> TokenCheck:
    """A token check run in a read-only unit of work of the fake record."""

    async def check(work: Callable[[TokenRepository], Awaitable[Principal]]) -> Principal:
        async with uow_factory.reader() as uow:
            return await work(uow.tokens)

    return check


async def broken_store(work: Callable[[TokenRepository], Awaitable[Principal]]) -> Principal:
    """A token check whose database is down."""
    raise StorageUnavailable("the record store is unavailable; nothing was written")


async def test_no_header_is_an_anonymous_caller() -> None:
    assert await identify(None, checked_in(FakeUnitOfWorkFactory())) == ANONYMOUS
    assert ANONYMOUS.refusal(Role.READER) == ("unauthenticated", NO_TOKEN)


async def test_a_valid_token_is_its_principal_and_its_role_decides() -> None:
    uow_factory = FakeUnitOfWorkFactory()
    _, secret = await issue_token("alice", Role.EDITOR, uow=uow_factory(), created_by="cli")
    caller = await identify(f"bearer  {secret} ", checked_in(uow_factory))
    assert caller.principal == Principal("alice", Role.EDITOR)
    assert caller.refusal(Role.EDITOR) is None
    refusal = caller.refusal(Role.ADMIN)
    assert refusal is not None
    assert refusal[0] == "forbidden"
    assert "admin" in refusal[1]


async def test_a_header_that_is_not_a_bearer_token_or_names_no_token_is_refused() -> None:
    uow_factory = FakeUnitOfWorkFactory()
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer dmr_unknown-token-value-123", "token"):
        caller = await identify(header, checked_in(uow_factory))
        assert caller.principal is None
        assert caller.refused is not None
        assert caller.refusal(Role.READER) == ("unauthenticated", caller.refused)


async def test_a_token_that_cannot_be_checked_is_reported_as_unavailable_not_refused() -> None:
    caller = await identify("Bearer dmr_some-well-formed-secret-value", broken_store)
    assert caller.unavailable is not None
    assert caller.refusal(Role.READER) == ("unavailable", caller.unavailable)
