"""The README documents every setting the server reads."""

from __future__ import annotations

from pathlib import Path

from api.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_with_its_default() -> None:
    missing = []
    for name, field in Settings.model_fields.items():
        variable = f"`DEMARCHE_{name.upper()}`"
        rows = [line for line in README.splitlines() if line.startswith("|") and variable in line]
        default = field.default if not isinstance(field.default, bool) else str(field.default).lower()
        shown = [f"`{default}`", f"`{default:g}`" if isinstance(default, float) else None]
        if default is None or default == []:
            shown = ["| none |"]  # an optional setting, unset unless given, or an empty list
        if not any(any(text and text in row for text in shown) for row in rows):
            missing.append(f"{variable} (default {default})")
    assert missing == []
