"""A CSV of measures whose rows carry their sources and citations, on SQLite and PostgreSQL: matching, idempotency, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.exchange.format import ImportRefused
from domain.record.sources import Citation, SourceKind
from domain.record.values import Headcount, HeadcountQualifier
from persistence.exchange.export import export_record
from persistence.exchange.importing import import_file
from persistence.write.unit_of_work import SqlUnitOfWorkFactory
from tests.integration import drafts
from tests.integration.conftest import Store

HEADER = (
    "id,actor,target,measure_type,announced,headcount_qualifier,headcount_value,"
    "source_id,source_url,source_publisher,source_title,source_kind,source_published,"
    "citation_excerpt,citation_headcount_qualifier,citation_headcount_value\n"
)


def write(tmp_path: Path, rows: str, name: str = "measures.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


async def exported(engine: AsyncEngine) -> str:
    parts: list[str] = []
    await export_record(engine, parts.append)
    return "".join(parts)


@pytest.fixture
async def stored(uow_factory: SqlUnitOfWorkFactory) -> Store:
    """Two stored sources of one publisher, one with a URL, and a third sharing the second's publisher and title."""
    store = Store(uow_factory)
    await store.add(drafts.source(id=1, publisher="ERR", title="Estonia expels", kind=SourceKind.MEDIA, url="https://err.ee/1"))
    await store.add(drafts.source(id=2, publisher="Reuters", title="Baltics expel Russians", kind=SourceKind.WIRE_AGENCY))
    await store.add(drafts.source(id=3, publisher="Reuters", title="Baltics expel Russians", kind=SourceKind.WIRE_AGENCY))
    return store


async def test_a_figure_arrives_with_its_sources_matched_by_id_by_url_or_created_and_a_second_import_adds_nothing(
    stored: Store, uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        ",EE,RU,expulsion_order,2022-04-05,at_least,14,,https://err.ee/1,,,,,'=at least 14,at_least,14\n"
        ",EE,RU,expulsion_order,2022-04-05,at_least,14,2,,,,,,fourteen,exact,14\n"
        ',EE,RU,expulsion_order,2022-04-05,at_least,14,,,Postimees,"Estonia, again",media,2022-04,,unknown,\n'
        ',LV,RU,expulsion_order,2022-04-05,exact,13,,,Postimees,"Estonia, again",,,,,\n',
    )
    report = await import_file(uow_factory, path, format="csv")
    assert report.added == {"Expulsion": 2, "Source": 1, "Citation": 4}
    async with uow_factory.reader() as uow:
        citations = await uow.citations.get_many([1, 2, 3, 4])
        created = await uow.sources.get(4)
    assert created is not None
    assert (created.publisher, created.title, created.kind, created.url, str(created.published)) == (
        "Postimees",
        "Estonia, again",
        SourceKind.MEDIA,
        None,
        "2022-04",
    )
    assert [(c.source_id, c.measure_id, c.excerpt, c.reported_headcount) for c in citations.values()] == [
        (1, 1, "=at least 14", Headcount(HeadcountQualifier.AT_LEAST, 14)),
        (2, 1, "fourteen", Headcount.exactly(14)),
        (4, 1, None, Headcount.unknown()),
        (4, 2, None, None),
    ]
    before = await exported(engine)
    again = await import_file(uow_factory, path, format="csv")
    assert (again.added, again.replaced, again.unchanged) == ({}, {}, {"Expulsion": 2, "Citation": 4})
    assert await exported(engine) == before


async def test_a_changed_reported_figure_is_refused_unless_replaced(
    stored: Store, uow_factory: SqlUnitOfWorkFactory, tmp_path: Path
) -> None:
    measure = await stored.add(drafts.measure(actor="EE"))
    await stored.add(Citation(source_id=1, measure_id=measure.id, reported_headcount=Headcount.exactly(12)))
    row = f"{measure.id},EE,RU,persona_non_grata,2022-03-23,exact,12,1,,,,,,,exact,13\n"
    with pytest.raises(ImportRefused) as refused:
        await import_file(uow_factory, write(tmp_path, row), format="csv")
    assert [str(problem) for problem in refused.value.problems] == [
        "line 2: Citation 1: STORED_DIFFERS reported_headcount: Citation 1 exists with different "
        "content (reported_headcount); --replace overwrites it"
    ]
    report = await import_file(uow_factory, write(tmp_path, row), format="csv", replace=True)
    assert (report.replaced, report.unchanged) == ({"Citation": 1}, {"Expulsion": 1})


async def test_bad_source_and_citation_cells_write_nothing_and_each_names_its_row_and_column(
    stored: Store, uow_factory: SqlUnitOfWorkFactory, engine: AsyncEngine, tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "10,EE,RU,recall,2022,unknown,,,,Reuters,Baltics expel Russians,,,,,\n"
        "11,EE,RU,recall,2022,unknown,,99,,,,,,,,\n"
        "12,EE,RU,recall,2022,unknown,,,https://new.example,,,,,,,\n"
        "13,EE,RU,recall,2022,unknown,,1,,,Another title,,,,,\n"
        "14,EE,RU,recall,2022,unknown,,,,Nobody,,,,,,\n"
        "15,EE,RU,recall,2022,unknown,,1,,,,,,,,3\n"
        "16,EE,RU,recall,2022,unknown,,1,,,,,,,exact,many\n"
        "17,EE,RU,recall,2022,unknown,,,ftp://x,Someone,Something,media,,,,\n",
    )
    before = await exported(engine)
    with pytest.raises(ImportRefused) as refused:
        await import_file(uow_factory, path, format="csv")
    assert [str(problem) for problem in refused.value.problems] == [
        "line 2: Expulsion 10: AMBIGUOUS_MATCH source_title: sources 2, 3 all match; give the row's source_id",
        "line 3: Expulsion 11: UNKNOWN_REFERENCE source_id: Source 99 does not exist",
        "line 4: Expulsion 12: REQUIRED source_kind: no stored source matches, so the row makes a new one, which needs its source_kind",
        "line 5: Expulsion 13: STORED_DIFFERS source_title: Source 1 has title 'Estonia expels', not 'Another title'",
        "line 6: Expulsion 14: REQUIRED source_title: a row names its source by source_id, by "
        "source_url, or by source_publisher and source_title",
        "line 7: Expulsion 15: FIELDS_GO_TOGETHER citation_headcount_qualifier: a reported headcount value needs its qualifier",
        "line 8: Expulsion 16: INVALID_NUMBER citation_headcount_value: citation_headcount_value "
        "'many' is not a whole number in ASCII digits",
        "line 9: Expulsion 17: INVALID_URL source_url: url must be an absolute http or https URL",
    ]
    assert await exported(engine) == before
