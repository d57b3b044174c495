"""The load tier: attacks on a real server while another client's latency and the server's memory are measured.

Every test here carries the `load` mark. The main run leaves them out (`-m "not load"` in pyproject's addopts), and
`make test` runs them afterwards in one process, one at a time, so that no other test shares the two cores with them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.helpers import BACKENDS, LiveServer, running_server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/load/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.load)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server with the demo record on each database, its response cache off so that every read reaches the store."""
    with running_server(request.param, tmp_path_factory, {"DEMARCHE_RESPONSE_CACHE": "0"}) as running:
        yield running
