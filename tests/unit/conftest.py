"""Unit tests run the domain against in-memory fakes; none of them touches a database."""

from __future__ import annotations

import pytest

from tests.fakes import FakeUnitOfWorkFactory, reference_actors


@pytest.fixture
def fake_units() -> FakeUnitOfWorkFactory:
    """A fresh in-memory record holding every ISO 3166 state and the usual organisations."""
    return FakeUnitOfWorkFactory(reference_actors())
