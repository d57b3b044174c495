"""Who reads personal fields, what an erasure may name, and which entries a history filter keeps, at each boundary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.access import Role
from domain.record.history import (
    PERSONAL_FIELDS,
    READS_PERSONAL_DATA,
    Change,
    ChangeAction,
    Erasure,
    HistoryFilter,
    readable,
    reads_personal_data,
    redacted,
)
from tests import drafts

PERSON = {"id": 3, "name": "A. Person", "rank": "attache", "sending_state": "RU"}


def test_editors_and_admins_read_personal_fields_and_readers_and_anonymous_callers_do_not() -> None:
    assert READS_PERSONAL_DATA is Role.EDITOR
    assert [reads_personal_data(role) for role in (None, Role.READER, Role.EDITOR, Role.ADMIN)] == [False, False, True, True]


def test_the_personal_fields_are_a_diplomats_and_a_speakers_name() -> None:
    assert PERSONAL_FIELDS == {"Diplomat": ("name",), "Statement": ("speaker_name",)}


def test_redacting_nulls_only_the_kinds_personal_fields_keeping_every_other_value_and_the_order() -> None:
    hidden = redacted("Diplomat", PERSON)

    assert hidden == {"id": 3, "name": None, "rank": "attache", "sending_state": "RU"}
    assert list(hidden or {}) == list(PERSON)
    assert PERSON["name"] == "A. Person"


def test_a_kind_without_personal_fields_or_no_document_is_left_as_it_is() -> None:
    measure = {"id": 1, "name": "not personal"}

    assert redacted("Expulsion", measure) is measure
    assert redacted("Diplomat", None) is None


@pytest.mark.parametrize(("role", "name"), [(None, None), (Role.READER, None), (Role.EDITOR, "A. Person"), (Role.ADMIN, "A. Person")])
def test_a_history_document_reads_as_the_role_may(role: Role | None, name: str | None) -> None:
    document = readable("Diplomat", PERSON, role)

    assert document is not None
    assert document["name"] == name
    assert document["rank"] == "attache"
    speaker = readable("Statement", {"speaker_name": "B. Speaker", "quote": "q"}, role)
    assert speaker == {"speaker_name": "B. Speaker" if name else None, "quote": "q"}


@pytest.mark.parametrize("kind", ["Diplomat", "Statement"])
def test_an_erasure_of_a_kind_holding_personal_data_keeps_its_trimmed_reason(kind: str) -> None:
    erasure = Erasure(entity=kind, record_id=4, reason="  asked by the person  ")

    assert (erasure.entity, erasure.record_id, erasure.reason, erasure.fields) == (kind, 4, "asked by the person", PERSONAL_FIELDS[kind])


@pytest.mark.parametrize("kind", ["Expulsion", "Mission", "Actor", "Treaty"])
def test_an_erasure_of_a_kind_without_personal_data_is_refused_naming_the_record(kind: str) -> None:
    assert drafts.refused_field(Erasure, entity=kind, record_id=4, reason="asked") == "recordId"


@pytest.mark.parametrize("reason", ["", "  ", "a\x00b"])
def test_an_erasure_needs_a_reason_it_can_keep(reason: str) -> None:
    assert drafts.refused_field(Erasure, entity="Diplomat", record_id=4, reason=reason) == "reason"


def entry(**changes: object) -> Change:
    values: dict[str, object] = {
        "entity": "Expulsion",
        "record_id": 7,
        "action": ChangeAction.UPDATE,
        "author": "alice",
        "before": None,
        "after": None,
        "version": 2,
        "at": datetime(2022, 3, 23, 12, tzinfo=UTC),
    }
    return Change(**(values | changes))  # type: ignore[arg-type]


NOON = datetime(2022, 3, 23, 12, tzinfo=UTC)


def test_a_filter_without_criteria_keeps_every_entry_even_undated() -> None:
    assert HistoryFilter().admits(entry())
    assert HistoryFilter().admits(entry(at=None))


@pytest.mark.parametrize(
    ("criteria", "kept", "dropped"),
    [
        ({"author": "alice"}, {}, {"author": "bob"}),
        ({"entity": "Expulsion"}, {}, {"entity": "Statement"}),
        ({"entity": "Expulsion", "record_id": 7}, {}, {"record_id": 8}),
        ({"actions": frozenset({ChangeAction.UPDATE, ChangeAction.LINK})}, {"action": ChangeAction.LINK}, {"action": ChangeAction.DELETE}),
        ({"since": NOON}, {"at": NOON}, {"at": NOON - timedelta(microseconds=1)}),
        ({"until": NOON}, {"at": NOON}, {"at": NOON + timedelta(microseconds=1)}),
        ({"since": NOON}, {"at": NOON + timedelta(days=1)}, {"at": None}),
        ({"until": NOON}, {"at": NOON - timedelta(days=1)}, {"at": None}),
    ],
)
def test_a_filter_keeps_what_it_names_and_drops_the_rest_at_the_boundary(
    criteria: dict[str, object], kept: dict[str, object], dropped: dict[str, object]
) -> None:
    history_filter = HistoryFilter(**criteria)  # type: ignore[arg-type]

    assert history_filter.admits(entry(**kept))
    assert not history_filter.admits(entry(**dropped))


def test_times_without_a_zone_are_utc_and_others_are_converted() -> None:
    naive = HistoryFilter(since=datetime(2022, 3, 23, 12))
    paris = HistoryFilter(until=datetime(2022, 3, 23, 13, tzinfo=timezone(timedelta(hours=1))))

    assert naive.since == NOON
    assert naive.since is not None
    assert naive.since.tzinfo is UTC
    assert paris.until == NOON
    assert paris.until is not None
    assert paris.until.tzinfo is UTC


@pytest.fixture
def far_from_utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process's local time zone set to UTC+05:30, so that a naive time read as local time would show."""
    monkeypatch.setenv("TZ", "IST-5:30")  # POSIX form: needs no time zone database
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("far_from_utc")
def test_a_time_without_a_zone_is_utc_whatever_the_servers_local_time() -> None:
    assert datetime(2022, 3, 23, 12).astimezone(UTC) != NOON
    assert HistoryFilter(since=datetime(2022, 3, 23, 12)).since == NOON


def test_a_period_may_be_one_instant_but_not_end_before_it_starts() -> None:
    assert HistoryFilter(since=NOON, until=NOON).admits(entry())
    assert drafts.refused_field(HistoryFilter, since=NOON, until=NOON - timedelta(microseconds=1)) == "until"


def test_a_record_id_comes_with_its_kind() -> None:
    assert drafts.refused_field(HistoryFilter, record_id=7) == "recordId"


@pytest.mark.parametrize("name", ["since", "until"])
def test_a_time_that_leaves_the_calendar_in_utc_is_refused_naming_it(name: str) -> None:
    edge = datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))

    assert drafts.refused_field(HistoryFilter, **{name: edge}) == name
