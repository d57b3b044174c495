"""`DEMARCHE_CORS_ORIGINS` is read as a JSON list or comma-separated, each origin as a browser writes it, and an entry
that no browser would send as an `Origin` is refused with the reason, before the server starts."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import Settings
from cli.main import main


@pytest.mark.parametrize(
    ("given", "read"),
    [
        ("", []),
        ("https://app.example.org", ["https://app.example.org"]),
        ("https://app.example.org, http://localhost:5173", ["https://app.example.org", "http://localhost:5173"]),
        ('["https://app.example.org", "http://localhost:5173"]', ["https://app.example.org", "http://localhost:5173"]),
        ("[]", []),
        ("*", ["*"]),
        # As a browser writes an origin: in lower case, without the scheme's own port.
        (
            "HTTPS://App.Example.org:443,http://localhost:80,https://localhost:80",
            ["https://app.example.org", "http://localhost", "https://localhost:80"],
        ),
        ("http://[::1]:8080", ["http://[::1]:8080"]),
    ],
)
def test_origins_are_read_from_json_or_a_comma_separated_list(given: str, read: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMARCHE_CORS_ORIGINS", given)
    assert Settings().cors_origins == read


def test_none_are_allowed_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMARCHE_CORS_ORIGINS", raising=False)
    assert Settings().cors_origins == []


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("https://app.example.org/", "is not an origin"),  # a path, even `/`: no browser sends it
        ("app.example.org", "is not an origin"),
        ("https://app.example.org/graphql", "is not an origin"),
        ("https://user@app.example.org", "is not an origin"),
        ("http://localhost:70000", "names no valid port"),
        ("null", "sandboxed"),
        ("*,https://app.example.org", "give it alone"),
        ("[1, 2]", "a list of origins"),
        ('["https://a.example"', "not JSON"),
    ],
)
def test_what_no_browser_would_send_as_an_origin_is_refused_with_the_reason(given: str, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        Settings(cors_origins=given)


def test_the_server_refuses_to_start_on_a_bad_origin_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEMARCHE_CORS_ORIGINS", "https://app.example.org/")
    assert main(["serve"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("demarche: DEMARCHE_CORS_ORIGINS: ")
    assert "'https://app.example.org/' is not an origin" in line
