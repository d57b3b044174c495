"""The load tier: attacks on a real server while another client's latency and the server's memory are measured.

Every test here carries the `load` mark. The main run leaves them out (`-m "not load"` in pyproject's addopts), and
`make test` runs them afterwards in one process, one at a time, so that no other test shares the two cores with them.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/load/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.load)
