"""What a test does when a service it needs (PostgreSQL, node, Chromium, ...) is missing: skip here, fail under CI."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
"""CI promises every service, so a missing one there is a broken machine, not a reason to skip."""


def missing(reason: str) -> NoReturn:
    """Skip the test for `reason`, or fail it when CI=true."""
    if IN_CI:
        pytest.fail(f"{reason}, and CI=true")
    pytest.skip(reason)
