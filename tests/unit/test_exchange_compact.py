"""What a streamed import keeps of each record: lines by key and glimpses by id, in arrays for small ids and
dictionaries beyond, giving back exactly what was put."""

from __future__ import annotations

from domain.exchange.compact import DENSE, Glimpses, IdColumn, KeyLines
from domain.record.values import PartialDate
from tests import drafts


def test_an_id_column_reads_back_small_and_large_ids_and_zero_for_the_others() -> None:
    column = IdColumn()
    for id, value in ((1, 5), (5_000, 7), (DENSE - 1, 9), (DENSE, 11), (2**40, 13)):
        column.set(id, value)
    assert [column.get(id) for id in (1, 5_000, DENSE - 1, DENSE, 2**40)] == [5, 7, 9, 11, 13]
    assert [column.get(id) for id in (2, 4_999, 5_001, DENSE + 1, 2**41, 0, -3)] == [0] * 7


def test_key_lines_keep_the_line_of_ids_codes_and_membership_keys_by_kind() -> None:
    lines = KeyLines()
    lines[("Expulsion", 3)] = 10
    lines[("Statement", 3)] = 11
    lines[("Actor", "QUAD")] = 2
    lines[("Membership", "AT in EU from 1995-01-01")] = 4
    lines[("Citation", 2**40)] = 12
    assert lines.get(("Expulsion", 3)) == 10
    assert lines.get(("Statement", 3)) == 11
    assert lines.get(("Actor", "QUAD")) == 2
    assert lines.get(("Citation", 2**40)) == 12
    assert ("Membership", "AT in EU from 1995-01-01") in lines
    assert lines.get(("Expulsion", 4)) is None
    assert lines.get(("Source", 3), 0) == 0
    assert ("Actor", "QUA") not in lines
    assert ("Mission", 3) not in lines


def test_glimpses_give_back_what_the_reference_rules_read() -> None:
    glimpses = Glimpses()
    glimpses.add("Mission", drafts.mission(id=3, sending_state="RU", host_state="US"))
    glimpses.add("Diplomat", drafts.diplomat(id=2**35, sending_state="BY"))
    glimpses.add("Expulsion", drafts.measure(id=9, announced=PartialDate(2022, 3), answers=(4, 2)))
    glimpses.add("Expulsion", drafts.measure(id=10, announced=PartialDate(1999)))
    glimpses.add("Source", drafts.source(id=9))
    mission, person = glimpses.get("Mission", 3), glimpses.get("Diplomat", 2**35)
    assert mission is not None
    assert (mission.id, mission.sending_state) == (3, "RU")
    assert person is not None
    assert person.sending_state == "BY"
    measure, other = glimpses.get("Expulsion", 9), glimpses.get("Expulsion", 10)
    assert measure is not None
    assert (measure.announced, measure.answers) == (PartialDate(2022, 3), (4, 2))
    assert other is not None
    assert (other.announced, other.answers) == (PartialDate(1999), ())
    assert glimpses.holds("Source", 9)
    assert not glimpses.holds("Source", 10)
    assert not glimpses.holds("Statement", 9)
    assert glimpses.get("Mission", 4) is None
    assert glimpses.answering() == {9: (4, 2)}


def test_a_measure_that_no_longer_answers_leaves_the_answering_ones() -> None:
    glimpses = Glimpses()
    glimpses.add("Expulsion", drafts.measure(id=9, answers=(4,)))
    glimpses.add("Expulsion", drafts.measure(id=9))
    assert glimpses.answering() == {}
