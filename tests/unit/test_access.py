"""Roles rank, secrets have one shape, and tokens record who made them and when, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.access import SECRET_PREFIX, Role, new_secret, plausible_secret, role_named
from domain.errors import Conflict, Unauthenticated
from domain.use_cases import tokens
from tests import drafts
from tests.fakes import FakeUnitOfWorkFactory


@pytest.mark.parametrize("role", list(Role))
def test_every_role_allows_what_it_is_itself(role: Role) -> None:
    assert role.allows(role)


def test_a_role_allows_only_the_roles_before_it() -> None:
    assert [role.rank for role in Role] == [0, 1, 2]
    assert Role.ADMIN.allows(Role.READER)
    assert not Role.READER.allows(Role.EDITOR)
    assert not Role.READER.allows(Role.ADMIN)


def test_a_role_is_named_in_any_case_and_anything_else_is_refused_naming_the_field() -> None:
    assert role_named("role", "EDITOR") is Role.EDITOR
    assert drafts.refused_field(role_named, "role", "owner") == "role"


def test_a_new_secret_has_the_prefix_and_256_random_bits() -> None:
    secret = new_secret()

    assert secret.startswith(SECRET_PREFIX)
    assert len(secret) == len(SECRET_PREFIX) + 43
    assert plausible_secret(secret)
    assert new_secret() != secret


@pytest.mark.parametrize("length", [20, 21, 199, 200])
def test_a_secret_of_20_to_200_printable_ascii_characters_after_the_prefix_is_plausible(length: int) -> None:
    assert plausible_secret(SECRET_PREFIX + "a" * (length - len(SECRET_PREFIX)))


@pytest.mark.parametrize(
    "secret",
    [
        SECRET_PREFIX + "a" * 15,
        SECRET_PREFIX + "a" * 197,
        "xmr_" + "a" * 30,
        "a" * 30,
        "\u00e9" * 30,
        SECRET_PREFIX + "\u00e9" * 20,
        SECRET_PREFIX + "a" * 20 + "\n",
        SECRET_PREFIX + "\n" * 20,
        "",
    ],
)
def test_anything_else_is_not_a_secret(secret: str) -> None:
    assert not plausible_secret(secret)


async def test_an_issued_token_records_who_made_it_and_when_in_utc(fake_units: FakeUnitOfWorkFactory) -> None:
    before = datetime.now(UTC)

    token, secret = await tokens.issue_token(" alice ", Role.EDITOR, uow=fake_units(), created_by="cli")

    assert (token.name, token.role, token.created_by, token.revoked_at) == ("alice", Role.EDITOR, "cli", None)
    assert token.created_at.tzinfo is UTC
    assert before - timedelta(seconds=1) <= token.created_at <= datetime.now(UTC)
    assert plausible_secret(secret)


async def test_revoking_records_when_in_utc_and_a_second_revocation_changes_nothing(fake_units: FakeUnitOfWorkFactory) -> None:
    await tokens.issue_token("bob", Role.READER, uow=fake_units(), created_by="cli")

    revoked = await tokens.revoke_token(" bob ", uow=fake_units())
    again = await tokens.revoke_token("bob", uow=fake_units())

    assert revoked.revoked_at is not None
    assert revoked.revoked_at.tzinfo is UTC
    assert again.revoked_at == revoked.revoked_at
    assert not again.active


async def test_revoking_an_unknown_token_is_not_found_naming_the_name(fake_units: FakeUnitOfWorkFactory) -> None:
    missing = await drafts.not_found_by(tokens.revoke_token("nobody", uow=fake_units()))

    assert (missing.entity, missing.key, missing.field) == ("ApiToken", "nobody", "name")


@pytest.mark.parametrize("presented", ["not a secret", SECRET_PREFIX + "a" * 40])
async def test_a_refused_secret_says_only_that_it_is_refused(fake_units: FakeUnitOfWorkFactory, presented: str) -> None:
    async with fake_units.reader() as uow:
        with pytest.raises(Unauthenticated) as refused:
            await tokens.authenticate(presented, tokens=uow.tokens)

    assert refused.value.message == tokens.REFUSED


async def test_a_second_token_of_the_same_name_is_a_conflict_saying_why(fake_units: FakeUnitOfWorkFactory) -> None:
    await tokens.issue_token("carol", Role.READER, uow=fake_units(), created_by="cli")

    with pytest.raises(Conflict) as refused:
        await tokens.issue_token("carol", Role.ADMIN, uow=fake_units(), created_by="cli")

    assert refused.value.message
