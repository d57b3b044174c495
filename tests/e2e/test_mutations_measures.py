"""Every mutation on measures, their links, statements and citations, over HTTP, each checked by reading back.

One server per backend for the module; each test writes only records of its own.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.helpers import LiveServer, assert_invalid, measure_input, mutate, ok, read


def day(value: str) -> dict[str, str]:
    return {"value": value, "precision": "DAY", "start": value, "end": value}


def measure(api: LiveServer, **values: Any) -> dict[str, Any]:
    input = measure_input(actor="FR", measureType="EXPULSION_ORDER", announced="2022-04-05", headcount={"qualifier": "EXACT", "value": 6})
    return ok(mutate(api, "createExpulsion", input={**input, **values}), "Expulsion")


def statement(api: LiveServer, **values: Any) -> dict[str, Any]:
    input = {"onBehalfOf": "FR", "stance": "ANNOUNCES", "quote": "Six agents ont été expulsés.", "quoteLanguage": "fr", **values}
    return ok(mutate(api, "createStatement", input={"speakerRole": "Foreign ministry spokesperson", **input}), "Statement")


def source(api: LiveServer) -> dict[str, Any]:
    return ok(mutate(api, "createSource", input={"publisher": "AFP", "title": "Expulsions", "kind": "WIRE_AGENCY"}), "Source")


def test_create_expulsion_stores_every_field_and_every_link(api: LiveServer) -> None:
    wave = ok(mutate(api, "createWave", input={"name": "April 2022"}), "Wave")
    embassy = ok(
        mutate(api, "createMission", input={"sendingState": "RU", "hostState": "FR", "kind": "EMBASSY", "city": "Paris"}), "Mission"
    )
    person = ok(
        mutate(api, "createDiplomat", input={"sendingState": "RU", "staffCategory": "DIPLOMATIC", "missionId": embassy["id"]}), "Diplomat"
    )
    earlier = measure(api, actor="RU", target="FR", announced="2022-03-30", headcount={"qualifier": "UNKNOWN"})
    made = measure(
        api,
        actor="fra",
        target="rus",
        measureType="PERSONA_NON_GRATA",
        announced="2022-04-04",
        headcount={"qualifier": "AT_LEAST", "value": 35},
        legalBasis="VCDR_ARTICLE_9",
        reasonCategory="ESPIONAGE",
        statedReason="activities contrary to French interests",
        targetMissionId=embassy["id"],
        notified="2022-04-04",
        deadline="2022-04",
        departed="2022-04-20",
        diplomatIds=[person["id"]],
        answers=[earlier["id"]],
        waveId=wave["id"],
    )
    assert made == {
        "__typename": "Expulsion",
        "id": made["id"],
        "measureType": "PERSONA_NON_GRATA",
        "legalBasis": "VCDR_ARTICLE_9",
        "reasonCategory": "ESPIONAGE",
        "statedReason": "activities contrary to French interests",
        "headcount": {"qualifier": "AT_LEAST", "value": 35},
        "announced": day("2022-04-04"),
        "notified": day("2022-04-04"),
        "deadline": {"value": "2022-04", "precision": "MONTH", "start": "2022-04-01", "end": "2022-04-30"},
        "departed": day("2022-04-20"),
        "actor": {"code": "FR", "kind": "STATE"},
        "target": {"code": "RU"},
        "targetMission": {"id": embassy["id"]},
        "people": [{"id": person["id"]}],
        "answers": [{"id": earlier["id"]}],
        "answeredBy": [],
        "wave": {"id": wave["id"]},
        "statements": [],
        "citations": [],
    }
    assert read(api, made["id"], "Expulsion") == made
    assert read(api, earlier["id"], "Expulsion") == {**earlier, "answeredBy": [{"id": made["id"]}]}


def test_create_expulsion_records_a_null_legal_basis_and_an_omitted_reason_as_unstated(api: LiveServer) -> None:
    made = measure(api, legalBasis=None)
    assert (made["legalBasis"], made["reasonCategory"]) == ("UNSTATED", "UNSTATED")
    assert made["headcount"] == {"qualifier": "EXACT", "value": 6}
    assert read(api, made["id"], "Expulsion") == made


def test_update_expulsion_changes_only_the_given_fields_and_null_clears_optional_ones(api: LiveServer) -> None:
    wave = ok(mutate(api, "createWave", input={"name": "To be left"}), "Wave")
    made = measure(api, statedReason="spying", notified="2022-04-06", deadline="2022-04-20", waveId=wave["id"])
    recounted = ok(
        mutate(api, "updateExpulsion", id=made["id"], input={"headcount": {"qualifier": "APPROXIMATE", "value": 7}}), "Expulsion"
    )
    assert recounted == {**made, "headcount": {"qualifier": "APPROXIMATE", "value": 7}}
    cleared = ok(mutate(api, "updateExpulsion", id=made["id"], input={"statedReason": None, "deadline": None, "waveId": None}), "Expulsion")
    assert cleared == {**recounted, "statedReason": None, "deadline": None, "wave": None}
    assert read(api, made["id"], "Expulsion") == cleared


@pytest.mark.parametrize("field", ["actor", "target", "measureType", "announced", "headcount", "legalBasis", "reasonCategory"])
def test_update_expulsion_refuses_null_for_a_required_field_and_names_it(api: LiveServer, field: str) -> None:
    made = measure(api)
    assert_invalid(mutate(api, "updateExpulsion", id=made["id"], input={field: None}), field)
    assert read(api, made["id"], "Expulsion") == made


def test_delete_expulsion_takes_its_citations_and_statement_links_with_it(api: LiveServer) -> None:
    made, cited = measure(api), source(api)
    citation = ok(mutate(api, "createCitation", input={"sourceId": cited["id"], "measureId": made["id"]}), "Citation")
    about = statement(api, measureIds=[made["id"]])
    assert ok(mutate(api, "deleteExpulsion", id=made["id"]), "Deleted")["id"] == made["id"]
    assert read(api, made["id"], "Expulsion") is None
    assert read(api, citation["id"], "Citation") is None
    assert read(api, about["id"], "Statement") == {**about, "measures": []}
    assert read(api, cited["id"], "Source") == cited


def test_link_answer_then_unlink_answer_leaves_both_measures_as_they_were(api: LiveServer) -> None:
    action = measure(api, announced="2022-04-01")
    reaction = measure(api, actor="RU", target="FR", announced="2022-04-08")
    linked = ok(mutate(api, "linkAnswer", measureId=reaction["id"], answeredId=action["id"]), "Expulsion")
    assert linked == {**reaction, "answers": [{"id": action["id"]}]}
    assert read(api, action["id"], "Expulsion") == {**action, "answeredBy": [{"id": reaction["id"]}]}
    unlinked = ok(mutate(api, "unlinkAnswer", measureId=reaction["id"], answeredId=action["id"]), "Expulsion")
    assert unlinked == reaction
    assert read(api, action["id"], "Expulsion") == action


def test_add_expelled_person_then_remove_expelled_person(api: LiveServer) -> None:
    person = ok(mutate(api, "createDiplomat", input={"sendingState": "RU", "staffCategory": "ADMINISTRATIVE_TECHNICAL"}), "Diplomat")
    made = measure(api)
    added = ok(mutate(api, "addExpelledPerson", measureId=made["id"], diplomatId=person["id"]), "Expulsion")
    assert added == {**made, "people": [{"id": person["id"]}]}
    assert read(api, made["id"], "Expulsion") == added
    removed = ok(mutate(api, "removeExpelledPerson", measureId=made["id"], diplomatId=person["id"]), "Expulsion")
    assert removed == made
    assert read(api, person["id"], "Diplomat") == person


def test_create_statement_stores_every_field_and_shows_on_its_measure(api: LiveServer) -> None:
    made = measure(api)
    said = statement(
        api,
        onBehalfOf="rus",
        stance="THREATENS",
        quote="Мы ответим",
        quoteLanguage="ru",
        speakerName="Maria Zakharova",
        speakerRole="Foreign Ministry spokeswoman",
        channel="PRESS_BRIEFING",
        relayedBy="Interfax",
        saidOn="2022-04-06",
        translation="We will respond",
        translationLanguage="en",
        measureIds=[made["id"]],
    )
    assert said == {
        "__typename": "Statement",
        "id": said["id"],
        "speakerName": "Maria Zakharova",
        "speakerRole": "Foreign Ministry spokeswoman",
        "channel": "PRESS_BRIEFING",
        "relayedBy": "Interfax",
        "stance": "THREATENS",
        "quote": "Мы ответим",
        "quoteLanguage": "ru",
        "translation": "We will respond",
        "translationLanguage": "en",
        "saidOn": day("2022-04-06"),
        "onBehalfOf": {"code": "RU", "kind": "STATE"},
        "measures": [{"id": made["id"]}],
        "citations": [],
    }
    assert read(api, said["id"], "Statement") == said
    assert read(api, made["id"], "Expulsion") == {**made, "statements": [{"id": said["id"]}]}


def test_update_statement_changes_only_given_fields_clears_nulls_and_refuses_a_null_quote(api: LiveServer) -> None:
    said = statement(api, speakerName="Anne-Claire Legendre", translation="Six agents were expelled.", translationLanguage="en")
    condemned = ok(mutate(api, "updateStatement", id=said["id"], input={"stance": "CONFIRMS"}), "Statement")
    assert condemned == {**said, "stance": "CONFIRMS"}
    changes = {"translation": None, "translationLanguage": None, "speakerName": None}
    cleared = ok(mutate(api, "updateStatement", id=said["id"], input=changes), "Statement")
    assert cleared == {**condemned, **changes}
    for required in ("quote", "quoteLanguage", "stance", "onBehalfOf"):
        assert_invalid(mutate(api, "updateStatement", id=said["id"], input={required: None}), required)
    assert read(api, said["id"], "Statement") == cleared


def test_link_statement_then_unlink_statement(api: LiveServer) -> None:
    said, made = statement(api), measure(api)
    linked = ok(mutate(api, "linkStatement", statementId=said["id"], measureId=made["id"]), "Statement")
    assert linked == {**said, "measures": [{"id": made["id"]}]}
    assert read(api, made["id"], "Expulsion") == {**made, "statements": [{"id": said["id"]}]}
    unlinked = ok(mutate(api, "unlinkStatement", statementId=said["id"], measureId=made["id"]), "Statement")
    assert unlinked == said
    assert read(api, made["id"], "Expulsion") == made


def test_delete_statement_takes_its_citations_but_not_the_source(api: LiveServer) -> None:
    said, cited = statement(api), source(api)
    citation = ok(mutate(api, "createCitation", input={"sourceId": cited["id"], "statementId": said["id"]}), "Citation")
    assert ok(mutate(api, "deleteStatement", id=said["id"]), "Deleted")["id"] == said["id"]
    assert read(api, said["id"], "Statement") is None
    assert read(api, citation["id"], "Citation") is None
    assert read(api, cited["id"], "Source") == cited


def test_a_citation_keeps_its_sources_own_headcount_beside_the_preferred_one(api: LiveServer) -> None:
    made, cited = measure(api), source(api)
    input = {
        "sourceId": cited["id"],
        "measureId": made["id"],
        "excerpt": "about five",
        "reportedHeadcount": {"qualifier": "APPROXIMATE", "value": 5},
    }
    citation = ok(mutate(api, "createCitation", input=input), "Citation")
    assert citation == {
        "__typename": "Citation",
        "id": citation["id"],
        "excerpt": "about five",
        "reportedHeadcount": {"qualifier": "APPROXIMATE", "value": 5},
        "source": {"id": cited["id"]},
        "measure": {"id": made["id"]},
        "statement": None,
    }
    stored = read(api, made["id"], "Expulsion")
    assert stored is not None
    assert stored["citations"] == [{k: v for k, v in citation.items() if k != "__typename"}]
    assert stored["headcount"] == {"qualifier": "EXACT", "value": 6}


def test_update_citation_keeps_omitted_fields_clears_nulls_moves_subject_and_delete_removes_it(api: LiveServer) -> None:
    made, said, cited = measure(api), statement(api), source(api)
    input = {"sourceId": cited["id"], "measureId": made["id"], "excerpt": "six", "reportedHeadcount": {"qualifier": "EXACT", "value": 6}}
    citation = ok(mutate(api, "createCitation", input=input), "Citation")
    reworded = ok(mutate(api, "updateCitation", id=citation["id"], input={"excerpt": "six agents"}), "Citation")
    assert reworded == {**citation, "excerpt": "six agents"}
    cleared = ok(mutate(api, "updateCitation", id=citation["id"], input={"excerpt": None, "reportedHeadcount": None}), "Citation")
    assert cleared == {**reworded, "excerpt": None, "reportedHeadcount": None}
    moved = ok(mutate(api, "updateCitation", id=citation["id"], input={"measureId": None, "statementId": said["id"]}), "Citation")
    assert moved == {**cleared, "measure": None, "statement": {"id": said["id"]}}
    assert_invalid(mutate(api, "updateCitation", id=citation["id"], input={"sourceId": None}), "sourceId")
    assert read(api, made["id"], "Expulsion") == made
    assert read(api, said["id"], "Statement") == {**said, "citations": [{k: v for k, v in moved.items() if k != "__typename"}]}
    assert ok(mutate(api, "deleteCitation", id=citation["id"]), "Deleted")["id"] == citation["id"]
    assert read(api, said["id"], "Statement") == said
