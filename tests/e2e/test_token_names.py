"""Token names over HTTP and from the command line: hidden characters and look-alikes of the history's own authors are refused."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from tests.e2e.helpers import LiveServer, assert_invalid, mutate, ok, unchanged
from tests.unit.test_token_names import fullwidth

REFUSED = ["alice\u0086", "\u009b31mbob", "import\u200b", fullwidth("import"), "Import", "carol\u2028", "\u202eevil"]


def token_list(api: LiveServer) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.data(f"# {uuid.uuid4().hex}\n{{ tokens {{ name role createdBy revokedAt }} }}")["tokens"]
    return found


def test_create_token_refuses_a_name_with_hidden_characters_or_a_reserved_look_alike_and_writes_nothing(api: LiveServer) -> None:
    before = token_list(api)
    with unchanged(api):
        for name in REFUSED:
            assert_invalid(mutate(api, "createToken", name=name, role="ADMIN"), "name")
    assert token_list(api) == before

    suffix = uuid.uuid4().hex[:6]
    made = ok(mutate(api, "createToken", name=fullwidth("desk-") + suffix, role="READER"), "CreatedToken")
    assert made["token"]["name"] == f"desk-{suffix}"
    assert [token["name"] for token in token_list(api)] == [token["name"] for token in before] + [f"desk-{suffix}"]


def test_token_create_on_the_command_line_refuses_a_hidden_character_with_a_message_and_a_failing_exit(tmp_path: Path) -> None:
    environment = {**os.environ, "DEMARCHE_DATABASE_URL": f"sqlite:///{tmp_path / 'tokens.db'}"}

    def demarche(*arguments: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cli.main", *arguments]
        return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=120)

    for name, named in (("import\u200b", "U+200B"), ("alice\u0086", "U+0086"), (fullwidth("import"), "'import'")):
        refused = demarche("token", "create", name)
        assert refused.returncode == 1, refused
        assert named in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr
        assert refused.stdout == ""

    listed = demarche("token", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == ""
