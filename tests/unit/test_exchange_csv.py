"""The CSV files of a record, row by row: what a cell holds, the formula guard, and reading a row back to the same record."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.exchange.csv_folder import BOM, FILES, FLAT_COLUMNS, flat_rows, head, header_names, named, read_kind, row, text
from domain.exchange.format import MEASURE_COLUMNS, NAME_COLUMNS, guard, unguard
from domain.exchange.reader import RecordFileReader
from domain.record.actors import Actor, ActorKind
from domain.record.expulsions import Expulsion, MeasureType
from domain.record.kinds import kind_of
from domain.record.memberships import Membership
from domain.record.sources import Citation, Source, SourceKind
from domain.record.values import Headcount, HeadcountQualifier, PartialDate


def read_back(*records: Any) -> RecordFileReader:
    """The records written as one kind's file, then read."""
    kind = kind_of(records[0])
    content = head(kind) + text(row(record, kind) for record in records)
    reader = RecordFileReader()
    reader.file = FILES[kind]
    read_kind(reader, kind, content.encode("utf-8").splitlines(keepends=True))
    return reader


def read_text(kind: str, content: str) -> RecordFileReader:
    reader = RecordFileReader()
    reader.file = FILES[kind]
    read_kind(reader, kind, content.encode("utf-8").splitlines(keepends=True))
    return reader


@given(st.text())
def test_the_formula_guard_is_undone_exactly_for_any_text(cell: str) -> None:
    assert unguard(guard(cell)) == cell


def test_cells_a_spreadsheet_would_run_get_an_apostrophe_and_others_stay_as_they_are() -> None:
    assert [guard(cell) for cell in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx", "'=x", "''", "'", "'tis", "12", ""]] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@cmd",
        "'\tx",
        "'\rx",
        "''=x",
        "'''",
        "'",
        "'tis",
        "12",
        "",
    ]
    # A hand-made cell with an apostrophe before ordinary text keeps it.
    assert unguard("'tis") == "'tis"


def test_a_file_starts_with_a_byte_order_mark_and_ends_rows_with_crlf() -> None:
    start = head("Citation")
    assert start == BOM + "id,source_id,measure_id,statement_id,excerpt,reported_headcount_qualifier,reported_headcount_value\r\n"
    assert text([["1", 'a "quoted", \nvalue']]) == '1,"a ""quoted"", \nvalue"\r\n'


def test_a_headcount_takes_two_columns_and_a_missing_one_stays_apart_from_an_unknown_one() -> None:
    known = Citation(id=1, source_id=2, measure_id=3, reported_headcount=Headcount(HeadcountQualifier.AT_LEAST, 14))
    unknown = Citation(id=2, source_id=2, measure_id=3, reported_headcount=Headcount.unknown())
    none = Citation(id=3, source_id=2, measure_id=3)
    assert [row(citation, "Citation")[-2:] for citation in (known, unknown, none)] == [["at_least", "14"], ["unknown", ""], ["", ""]]
    reader = read_back(known, unknown, none)
    assert reader.problems == []
    assert [found.entity for found in reader.rows] == [known, unknown, none]


TRICKY = [
    '=HYPERLINK("http://evil")',
    "-40 diplomats",
    "'=quoted already",
    "Line one\nline two\r\nline three",
    'commas, "quotes" and ; semicolons',
    "Ведомости: «высылка»",
    "@channel\tand a tab",
]


def test_a_measure_with_tricky_text_reads_back_as_itself() -> None:
    measures = [
        Expulsion(
            id=index + 1,
            actor="US",
            target="RU",
            measure_type=MeasureType.EXPULSION_ORDER,
            announced=PartialDate(2022, 3),
            headcount=Headcount.exactly(index),
            stated_reason=reason,
            answers=(100, 101) if index else (),
        )
        for index, reason in enumerate(TRICKY)
    ]
    reader = read_back(*measures)
    assert reader.problems == []
    assert [found.entity for found in reader.rows] == measures
    assert [found.line for found in reader.rows] == [2, 3, 4, 5, 8, 9, 10]


def test_an_actor_is_keyed_by_its_code_and_has_no_id_column() -> None:
    actor = Actor(code="SU", kind=ActorKind.FORMER_STATE, name="USSR", alpha3="SUN", dissolved=PartialDate(1991, 12, 26).start)
    assert header_names("Actor") == ["code", "kind", "name", "alpha3", "numeric", "official_name", "dissolved"]
    assert row(actor, "Actor") == ["SU", "former_state", "USSR", "SUN", "", "", "1991-12-26"]
    reader = read_back(actor)
    assert [found.entity for found in reader.rows] == [actor]


def test_a_membership_is_keyed_by_organisation_state_and_joined_and_has_no_id_column() -> None:
    spell = Membership(
        organisation="EU",
        state="GB",
        joined=PartialDate(1973, 1, 1),
        left=PartialDate(2020, 1),
        source_publisher="EU",
        source_title="-Brexit",
    )
    assert header_names("Membership") == [
        "organisation",
        "state",
        "joined",
        "left",
        "source_publisher",
        "source_title",
        "source_url",
        "source_checked",
        "basis",
    ]
    assert row(spell, "Membership") == ["EU", "GB", "1973-01-01", "2020-01", "EU", "'-Brexit", "", "", "treaty"]
    reader = read_back(spell)
    assert [(found.key, found.entity) for found in reader.rows] == [("GB in EU from 1973-01-01", spell)]
    twice = read_text("Membership", "organisation,state,joined,source_publisher,source_title\r\nEU,GB,1973,EU,T\r\nEU,GB,1973,EU,T\r\n")
    missing = read_text("Membership", "organisation,joined,source_publisher,source_title\r\nEU,1973,EU,T\r\n")
    assert [str(problem) for problem in [*twice.problems, *missing.problems]] == [
        "memberships.csv line 3: Membership GB in EU from 1973: DUPLICATE joined: Membership GB in EU from 1973 is on line 2 already;"
        " a record appears once in a file",
        "memberships.csv line 1: INVALID_FORMAT header: the column 'state' is missing; every "
        "Membership row names its organisation, state, joined",
    ]


def test_bad_rows_are_reported_by_file_line_and_column() -> None:
    content = (
        "id,actor,target,measure_type,announced,headcount_qualifier,headcount_value,answers\r\n"
        "1,US,RU,recall,2022,exact,3,\r\n"
        "x,US,RU,recall,2022,exact,3,\r\n"
        "3,US,RU,recall,2022,exact,three,\r\n"
        "4,US,RU,recall,2022,exact,3,1;b\r\n"
        "5,US,RU,recall,2022-13,exact,3,\r\n"
        "6,US,RU,recall,2022,,3,\r\n"
        "7,US,RU\r\n"
    )
    reader = read_text("Expulsion", content)
    assert [str(problem) for problem in reader.problems] == [
        "expulsions.csv line 3: Expulsion: INVALID_NUMBER id: id 'x' is not a whole number in ASCII digits",
        "expulsions.csv line 4: Expulsion 3: INVALID_NUMBER headcount_value: headcount_value 'three' is not a whole number in ASCII digits",
        "expulsions.csv line 5: Expulsion 4: INVALID_NUMBER answers: answers 'b' is not a whole number in ASCII digits",
        "expulsions.csv line 6: Expulsion 5: INVALID_DATE announced: announced '2022-13' is not a real date: month 13 is out of range",
        "expulsions.csv line 7: Expulsion 6: REQUIRED headcount: headcount needs a qualifier",
        "expulsions.csv line 8: Expulsion: INVALID_SHAPE row: the row has 3 cells; the header names 8 columns",
    ]
    assert [found.entity.id for found in reader.rows] == [1]


def test_a_header_with_an_unknown_or_missing_key_column_refuses_the_file() -> None:
    unknown = read_text("Wave", "id,name,colour\r\n")
    assert [str(problem) for problem in unknown.problems] == [
        "waves.csv line 1: INVALID_FORMAT header: column 3 of the header is no column of a Wave; its columns are id, name, description"
    ]
    assert not unknown.readable
    keyless = read_text("Wave", "name\r\nSpring\r\n")
    assert [str(problem) for problem in keyless.problems] == [
        "waves.csv line 1: INVALID_FORMAT header: the column 'id' is missing; every Wave row names its id"
    ]


def test_rows_of_a_csv_of_measures_repeating_a_measure_are_one_measure_with_a_citation_each() -> None:
    reader = RecordFileReader()
    reader.read_csv(
        [
            b"actor,target,measure_type,announced,headcount_qualifier,source_id,citation_excerpt\n",
            b"EE,RU,recall,2022,unknown,1,'=first\n",
            b"EE,RU,recall,2022,unknown,2,second\n",
            b"EE,RU,recall,2022-13,unknown,1,\n",
            b"EE,RU,recall,2022-13,unknown,2,\n",
        ]
    )
    assert [(found.line, found.kind) for found in reader.rows] == [(2, "Expulsion")]
    assert [(cited.line, cited.measure is reader.rows[0], cited.cells) for cited in reader.cited] == [
        (2, True, {"source_id": "1", "citation_excerpt": "=first"}),
        (3, True, {"source_id": "2", "citation_excerpt": "second"}),
    ]
    assert [str(problem) for problem in reader.problems] == [
        "line 4: Expulsion: INVALID_DATE announced: announced '2022-13' is not a real date: month 13 is out of range",
        "line 5: Expulsion: DEPENDS_ON_REFUSED row: the measure of this row is the one on line 4, which is refused",
    ]


@given(st.text(min_size=1), st.text())
def test_any_text_a_measure_and_a_source_can_hold_reads_back_as_itself(reason: str, title: str) -> None:
    try:
        measure = Expulsion(
            id=1,
            actor="US",
            target="RU",
            measure_type=MeasureType.RECALL,
            announced=PartialDate(2022),
            headcount=Headcount.unknown(),
            stated_reason=reason,
        )
        source = Source(id=1, publisher="=" + reason, title=title + "x", kind=SourceKind.MEDIA)
    except InvalidInput:
        assume(False)
        return
    for record in (measure, source):
        reader = read_back(record)
        assert reader.problems == []
        assert [found.entity for found in reader.rows] == [record]


def test_the_spreadsheet_view_names_the_actor_and_target_beside_their_codes_in_the_measures_column_order() -> None:
    measure = Expulsion(
        id=7, actor="EE", target="RU", measure_type=MeasureType.RECALL, announced=PartialDate(2022, 4), headcount=Headcount.unknown()
    )
    cells = named("Expulsion", row(measure, "Expulsion"))
    names = {"EE": "Estonia", "RU": guard("=Russia")}
    [only] = flat_rows(cells, [], {}, names)
    by_column = dict(zip(FLAT_COLUMNS, only, strict=True))
    assert FLAT_COLUMNS[:5] == ("id", "actor", "actor_name", "target", "target_name")
    assert [column for column in FLAT_COLUMNS if column not in NAME_COLUMNS][: len(MEASURE_COLUMNS)] == list(MEASURE_COLUMNS)
    assert list(MEASURE_COLUMNS) == header_names("Expulsion")
    assert (by_column["actor_name"], by_column["target_name"], by_column["announced"]) == ("Estonia", "'=Russia", "2022-04")
    assert flat_rows(cells, [], {}, {})[0][2] == ""


def test_the_name_columns_of_a_csv_of_measures_are_read_only_and_left_aside() -> None:
    with_names, without = RecordFileReader(), RecordFileReader()
    with_names.read_csv(
        [
            b"actor,actor_name,target,target_name,measure_type,announced,headcount_qualifier,source_id\n",
            b"EE,Estonia,RU,Russian Federation,recall,2022,unknown,1\n",
            b"EE,Somewhere else,RU,,recall,2022,unknown,2\n",
        ]
    )
    without.read_csv([b"actor,target,measure_type,announced,headcount_qualifier,source_id\n", b"EE,RU,recall,2022,unknown,1\n"])
    assert with_names.problems == []
    assert [found.entity for found in with_names.rows] == [found.entity for found in without.rows]
    assert [cited.cells for cited in with_names.cited] == [{"source_id": "1"}, {"source_id": "2"}]
