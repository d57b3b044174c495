"""What a token may be named: the history records changes under the name, so it must read as what it is."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.access import ApiToken, Role, token_name
from domain.errors import InvalidInput
from domain.use_cases import tokens
from tests.fakes import FakeUnitOfWorkFactory


def fullwidth(text: str) -> str:
    """`text` with each ASCII letter, digit and sign in its fullwidth form (U+FF01 to U+FF5E), which NFKC folds back."""
    return "".join(chr(ord(character) + 0xFEE0) for character in text)


HIDDEN = {
    "a C0 control": "desk\x07",
    "a tab": "desk\t3",
    "DEL": "desk\x7f",
    "a C1 control (START OF SELECTED AREA)": "alice\u0086",
    "a C1 control (CONTROL SEQUENCE INTRODUCER)": "\u009b31malice",
    "NEXT LINE, a C1 control that str.strip would drop": "alice\u0085",
    "a zero-width space after a reserved name": "import\u200b",
    "a zero-width joiner": "ali\u200dce",
    "a line separator": "alice\u2028bob",
    "a paragraph separator": "alice\u2029",
    "a right-to-left override": "\u202etroppi",
    "a left-to-right isolate": "\u2066alice\u2069",
    "a byte order mark": "\ufeffalice",
    "a private-use character": "alice\ue000",
}


@pytest.mark.parametrize("name", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_name_with_a_character_that_does_not_print_is_refused_naming_it(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        token_name("name", name)

    assert refused.value.field == "name"
    assert "U+" in refused.value.message
    assert "printable" in refused.value.message


@pytest.mark.parametrize(
    "name",
    ["import", "Import", "CLI", "demarche", " import ", fullwidth("import"), fullwidth("IMPORT"), fullwidth("cli"), "\u00a0import\u3000"],
)
def test_a_reserved_author_is_refused_in_any_case_and_in_any_compatible_form(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        token_name("name", name)

    assert refused.value.field == "name"
    assert "history" in refused.value.message


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Zoë", "Zoë"),
        ("Zoe\u0308", "Zoë"),
        ("Анна", "Анна"),
        ("李雷", "李雷"),
        ("desk 3", "desk 3"),
        ("  desk-3  ", "desk-3"),
        (fullwidth("desk-3"), "desk-3"),
        ("ﬁnance", "finance"),
        ("desk\u00a03", "desk 3"),
        ("importer", "importer"),
        ("im port", "im port"),
    ],
)
def test_an_ordinary_name_is_kept_in_its_normal_form(given: str, stored: str) -> None:
    assert token_name("name", given) == stored


@pytest.mark.parametrize("name", ["", "   ", "\u3000", "x" * 101, "\ufdfa" * 6])
def test_a_blank_or_overlong_name_is_refused_after_normalising(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        token_name("name", name)

    assert refused.value.field == "name"


async def test_an_issued_token_is_stored_under_its_normal_form_and_a_hidden_character_writes_nothing(
    fake_units: FakeUnitOfWorkFactory,
) -> None:
    token, _ = await tokens.issue_token(fullwidth("desk-3"), Role.EDITOR, uow=fake_units(), created_by="cli")
    for name in ("import\u200b", "alice\u0086", "Import"):
        with pytest.raises(InvalidInput):
            await tokens.issue_token(name, Role.ADMIN, uow=fake_units(), created_by="cli")

    assert token.name == "desk-3"
    assert [stored.name for stored in await tokens.list_tokens(uow=fake_units.reader())] == ["desk-3"]


def test_a_stored_token_keeps_its_name_so_one_named_before_the_rule_can_still_be_listed_and_revoked() -> None:
    stored = ApiToken(id=7, name="alice\u0086", role=Role.READER, digest="0" * 64, created_at=datetime.now(UTC), created_by="cli")

    assert stored.name == "alice\u0086"
