"""Organisations beyond the EU, over HTTP on both databases: NATO, the G7 (and the G8), the Council of Europe, the CSTO
and the Five Eyes have curated memberships; an organisation whose memberships are not recorded says so, and a filter
naming it is refused rather than answered with a silent zero; every curated spell is marked unverified.

One server per backend for the module, on the demo record plus the measures the tests add.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.helpers import LiveServer, mutate, ok

NATO_FINLAND = """
query NatoFinland {
  expulsions(memberOf: "NATO", actor: "FI", orderBy: ANNOUNCED) { totalCount nodes { announced { value } } }
}
"""

RECORDED = "{ organisations(first: 50) { nodes { code membershipRecorded members { state { code } } } } }"

MEMBERS = """
query Members($code: String!, $at: Date) {
  organisation(code: $code) {
    code
    membershipRecorded
    members(at: $at) { state { code } basis joined { value } left { value } source { publisher title url checked unverified } }
  }
}
"""


def measure(api: LiveServer, actor: str, announced: str, target: str = "RU") -> str:
    input = {
        "actor": actor,
        "target": target,
        "measureType": "EXPULSION_ORDER",
        "announced": announced,
        "headcount": {"qualifier": "EXACT", "value": 2},
    }
    return str(ok(mutate(api, "createExpulsion", input=input), "Expulsion")["id"])


@pytest.fixture(scope="module")
def added(api: LiveServer) -> dict[str, str]:
    """Finnish measures the day before its accession to NATO (2023-04-04), on that day, in that month (not certainly after
    it), and later; Australian ones in 1956 (the year it joined the Five Eyes, no day known) and in 1957."""
    return {
        "FI before": measure(api, "FI", "2023-04-03"),
        "FI on the day": measure(api, "FI", "2023-04-04"),
        "FI that month": measure(api, "FI", "2023-04"),
        "FI later": measure(api, "FI", "2023-06-15"),
        "AU 1956": measure(api, "AU", "1956-06-01"),
        "AU 1957": measure(api, "AU", "1957-02-01"),
    }


def _errors(api: LiveServer, query: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The data and errors of a query; a refusal is the executor's, even where the compiled path would answer the query
    (it finds the organisation's memberships not recorded inside its statement, and leaves the refusal to the executor)."""
    response = httpx.post(f"{api.url}/graphql", json={"query": query}, timeout=30)
    body = response.json()
    if body.get("errors"):
        assert response.headers.get("x-demarche-read") is None
    return body["data"], body.get("errors", [])


@pytest.mark.parametrize("path", ["compiled", "executor"])
def test_nato_membership_counts_on_the_measure_date(api: LiveServer, added: dict[str, str], path: str) -> None:
    # A root field the compiled path does not answer (membershipRecorded) sends the whole query to the executor.
    query = (
        NATO_FINLAND
        if path == "compiled"
        else NATO_FINLAND.replace("{\n  expulsions", '{ o: organisation(code: "NATO") { membershipRecorded }\n  expulsions')
    )
    response = httpx.post(f"{api.url}/graphql", json={"query": query}, timeout=30)
    assert response.headers.get("x-demarche-read") == ("compiled" if path == "compiled" else None)
    body = response.json()
    assert "errors" not in body, body
    found = body["data"]["expulsions"]
    assert [node["announced"]["value"] for node in found["nodes"]] == ["2023-04-04", "2023-06-15"]
    assert found["totalCount"] == 2
    tally = api.data('{ tally(memberOf: "NATO", actor: "FI") { measures minimumHeadcount } }')["tally"]
    assert tally == {"measures": 2, "minimumHeadcount": 4}


def test_the_five_eyes_count_a_state_only_once_it_certainly_belonged(api: LiveServer, added: dict[str, str]) -> None:
    found = api.data('{ expulsions(memberOf: "FVEY", actor: "AU") { nodes { announced { value } } } }')["expulsions"]
    assert [node["announced"]["value"] for node in found["nodes"]] == ["1957-02-01"]


def test_an_organisation_says_whether_its_memberships_are_recorded(api: LiveServer) -> None:
    nodes = {node["code"]: node for node in api.data(RECORDED)["organisations"]["nodes"]}
    recorded = {code: node["membershipRecorded"] for code, node in nodes.items()}
    assert {code for code, flag in recorded.items() if flag} >= {"EU", "NATO", "G7", "G8", "COE", "CSTO", "FVEY"}
    assert recorded["UN"] is False
    assert nodes["UN"]["members"] == []


@pytest.mark.parametrize("argument", ["memberOf", "targetMemberOf"])
@pytest.mark.parametrize("field", ["expulsions(first: 5, {}) {{ totalCount }}", "tally({}) {{ measures }}"])
def test_a_filter_naming_an_organisation_without_recorded_memberships_is_refused(api: LiveServer, argument: str, field: str) -> None:
    data, errors = _errors(api, "{ ok: states(first: 1) { totalCount } bad: " + field.format(f'{argument}: "UN"') + " }")
    assert data["bad"] is None
    assert data["ok"]["totalCount"] > 0
    [error] = errors
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["argument"] == argument, error
    assert "memberships of UN (United Nations) are not recorded" in error["message"], error


def test_a_state_named_as_an_organisation_is_refused(api: LiveServer) -> None:
    data, [error] = _errors(api, '{ expulsions(memberOf: "FRA") { totalCount } }')
    assert data is None or data["expulsions"] is None
    assert (error["extensions"]["code"], error["extensions"]["argument"]) == ("BAD_USER_INPUT", "memberOf")
    assert "FR (France) is a state" in error["message"]


def test_once_a_spell_is_recorded_the_organisation_may_be_filtered_by(api: LiveServer) -> None:
    query = '{ expulsions(memberOf: "OSCE", actor: "PL") { totalCount } }'
    _, [error] = _errors(api, query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    input = {
        "organisation": "OSCE",
        "state": "PL",
        "joined": "1975-08-01",
        "sourcePublisher": "OSCE",
        "sourceTitle": "Participating States",
        "sourceChecked": "2026-12-08",
    }
    created = ok(mutate(api, "createMembership", input=input), "Membership")
    assert created["source"]["unverified"] is False
    assert created["source"]["checked"] == "2026-12-08"
    assert created["basis"] == "TREATY"
    assert api.data(query)["expulsions"]["totalCount"] >= 1
    assert api.data(MEMBERS, {"code": "OSCE"})["organisation"]["membershipRecorded"] is True


def test_nato_has_its_32_members_each_spell_on_a_treaty_and_unverified(api: LiveServer) -> None:
    nato = api.data(MEMBERS, {"code": "NATO", "at": "2024-03-07"})["organisation"]
    assert nato["membershipRecorded"] is True
    assert len(nato["members"]) == 32
    assert {member["basis"] for member in nato["members"]} == {"TREATY"}
    assert all(member["source"]["unverified"] is True and member["source"]["checked"] is None for member in nato["members"])
    assert "FI" not in {
        member["state"]["code"] for member in api.data(MEMBERS, {"code": "NATO", "at": "2023-04-03"})["organisation"]["members"]
    }
    eu = api.data(MEMBERS, {"code": "EU"})["organisation"]["members"]
    assert all(member["source"]["unverified"] for member in eu)


def test_the_five_eyes_rest_on_no_treaty(api: LiveServer) -> None:
    five = api.data(MEMBERS, {"code": "FVEY", "at": "2022-03-23"})["organisation"]["members"]
    assert sorted(member["state"]["code"] for member in five) == ["AU", "CA", "GB", "NZ", "US"]
    assert {member["basis"] for member in five} == {"NO_TREATY"}
    assert {member["joined"]["value"] for member in five} == {"1946-03-05", "1948", "1956"}
    assert all(member["source"]["unverified"] for member in five)


def test_the_council_of_europe_russia_greece_and_the_g8(api: LiveServer) -> None:
    def codes(code: str, at: str) -> set[str]:
        return {member["state"]["code"] for member in api.data(MEMBERS, {"code": code, "at": at})["organisation"]["members"]}

    assert "RU" in codes("COE", "2022-03-15")
    assert "RU" not in codes("COE", "2022-03-16")
    assert len(codes("COE", "2023-01-01")) == 46
    assert "GR" not in codes("COE", "1972-06-01")
    assert "GR" in codes("COE", "1975-06-01")
    assert "RU" in codes("G8", "2010-06-01")
    assert "RU" not in codes("G7", "2010-06-01")
    assert len(codes("G7", "2022-03-23")) == 7
    assert codes("CSTO", "2022-03-23") == {"AM", "BY", "KZ", "KG", "RU", "TJ"}
    assert "UZ" in codes("CSTO", "2008-01-01")


def test_a_spell_checked_against_its_source_is_no_longer_unverified(api: LiveServer) -> None:
    finland = api.data('{ state(code: "FI") { memberships { id version organisation { code } source { unverified } } } }')["state"]
    [spell] = [spell for spell in finland["memberships"] if spell["organisation"]["code"] == "NATO"]
    assert spell["source"]["unverified"] is True
    checked = ok(mutate(api, "checkMembershipSource", id=spell["id"], checked="2026-12-08"), "Membership")
    assert (checked["source"]["unverified"], checked["source"]["checked"], checked["version"]) == (
        False,
        "2026-12-08",
        spell["version"] + 1,
    )
    history = api.data(f'{{ history(recordId: "{spell["id"]}", first: 5) {{ nodes {{ action changedFields }} }} }}')["history"]["nodes"]
    assert history == [{"action": "UPDATE", "changedFields": ["source_checked"]}]
