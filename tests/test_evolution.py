"""The schema evolves without breaking its clients: the code's schema against the last released one (docs/schema/)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from cli.main import main

RELEASED = Path("docs/schema/schema.graphql")
CHANGELOG = Path("docs/schema/CHANGELOG.md")


def breaking_against(released: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["schema", "--breaking-against", str(released)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_the_code_breaks_no_client_of_the_released_schema(repository_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, said = breaking_against(repository_root / RELEASED, capsys)
    assert code == 0, said
    assert "breaking:" not in said


def test_the_released_schema_changes_only_with_a_changelog_entry(repository_root: Path) -> None:
    digest = hashlib.sha256((repository_root / RELEASED).read_bytes()).hexdigest()
    entries = re.split(r"^## ", (repository_root / CHANGELOG).read_text(encoding="utf-8"), flags=re.MULTILINE)[1:]
    assert entries, "docs/schema/CHANGELOG.md has no release entry"
    assert digest in entries[0], f"the newest entry of {CHANGELOG} must name the released file's SHA-256, {digest}"


def released_copy(repository_root: Path, tmp_path: Path, old: str, new: str) -> Path:
    """The released schema as if it had been released with `old` where it has `new`: the code then changes `old` to `new`."""
    text = (repository_root / RELEASED).read_text(encoding="utf-8")
    assert text.count(new) == 1, new
    path = tmp_path / "released.graphql"
    path.write_text(text.replace(new, old), encoding="utf-8")
    return path


WAVE = "type Wave implements Node & Recorded {\n"
ORGANISATION_CODE = '  organisation(\n    """The organisation\'s code, e.g. \'UN\'."""\n    code: String!\n'


@pytest.mark.parametrize(
    ("released_text", "code_text", "said"),
    [
        # Released with Wave.region; the code has none.
        (WAVE + '  """Where the wave happened."""\n  region: String\n\n', WAVE, "breaking: Field Wave.region was removed. (FIELD_REMOVED)"),
        # Released with `organisation(code: String)`; the code requires the code.
        (
            ORGANISATION_CODE.replace("code: String!", "code: String"),
            ORGANISATION_CODE,
            "breaking: Argument Root.organisation(code:) has changed type from String to String!. (ARG_CHANGED_KIND)",
        ),
    ],
    ids=["a removed field", "a nullable argument made non-null"],
)
def test_a_real_break_fails_the_check(
    repository_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], released_text: str, code_text: str, said: str
) -> None:
    released = released_copy(repository_root, tmp_path, released_text, code_text)
    code, printed = breaking_against(released, capsys)
    assert code == 1
    assert said in printed


def test_an_added_enum_value_is_dangerous_but_not_breaking(
    repository_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    released = released_copy(repository_root, tmp_path, "enum Stance {\n", "enum Stance {\n")
    text = released.read_text(encoding="utf-8")
    block = text[text.index("enum Stance {") :]
    last_value = re.findall(r"^  ([A-Z_]+)$", block[: block.index("}")], flags=re.MULTILINE)[-1]
    released.write_text(text.replace(block, block.replace(f"  {last_value}\n", "", 1), 1), encoding="utf-8")
    code, said = breaking_against(released, capsys)
    assert code == 0, said
    assert f"dangerous: Enum value Stance.{last_value} was added. (VALUE_ADDED_TO_ENUM)" in said


def test_a_file_that_is_no_schema_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.graphql"
    broken.write_text("type {", encoding="utf-8")
    assert breaking_against(broken, capsys)[0] == 2
    assert breaking_against(tmp_path / "missing.graphql", capsys)[0] == 2
