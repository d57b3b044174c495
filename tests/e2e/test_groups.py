"""Lists and groups of states in the measure filters, and membership over time, over HTTP on both databases.

One server per backend for the module, on the demo record (Poland's 45 and the US's 12 against
Russia, Russia's answer, Belarus against Ukraine, all March 2022) plus measures the tests add.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import LiveServer, assert_invalid, mutate, mutation_document, ok

EU_RUSSIANS_2022 = """
query EuExpulsionsOfRussianDiplomatsIn2022 {
  expulsions(memberOf: "EU", target: "RU", announcedFrom: "2022-01-01", announcedTo: "2022-12-31") {
    totalCount
    nodes { actor { code name } announced { value } headcount { qualifier value } }
  }
}
"""

SEVERAL_ACTORS = """
query SeveralActors($actors: [String!]) {
  expulsions(actor: $actors, target: "RU", orderBy: RECORDED) { totalCount nodes { actor { code } } }
}
"""

MEMBERS = """
query Members($at: Date) {
  organisation(code: "EU") {
    code
    members(at: $at) { state { code } joined { value } left { value } source { publisher title url } }
  }
}
"""

STATE_MEMBERSHIPS = """
query StateMemberships($code: String!) {
  state(code: $code) { code memberships { organisation { code } joined { value } left { value } source { publisher } } }
}
"""


def measure(api: LiveServer, actor: str, announced: str, value: int, target: str = "RU") -> dict[str, Any]:
    input = {
        "actor": actor,
        "target": target,
        "measureType": "EXPULSION_ORDER",
        "announced": announced,
        "headcount": {"qualifier": "EXACT", "value": value},
    }
    return ok(mutate(api, "createExpulsion", input=input), "Expulsion")


@pytest.fixture(scope="module")
def added(api: LiveServer) -> dict[str, str]:
    """The United Kingdom's 23 of March 2018 (Salisbury) and a British measure of 2022, Germany's 40 of April 2022,
    and Russia's answer to the United Kingdom in 2018."""
    return {
        "GB 2018": measure(api, "GB", "2018-03-14", 23)["id"],
        "GB 2022": measure(api, "GB", "2022-05-20", 1)["id"],
        "DE 2022": measure(api, "DE", "2022-04-04", 40)["id"],
        "RU 2018": measure(api, "RU", "2018-03-17", 23, target="GB")["id"],
    }


def codes(page: dict[str, Any]) -> list[str]:
    return [node["actor"]["code"] for node in page["nodes"]]


def test_expulsions_of_russian_diplomats_by_eu_member_states_in_2022(api: LiveServer, added: dict[str, str]) -> None:
    page = api.data(EU_RUSSIANS_2022)["expulsions"]
    assert page["nodes"] == [
        {"actor": {"code": "PL", "name": "Poland"}, "announced": {"value": "2022-03-23"}, "headcount": {"qualifier": "EXACT", "value": 45}},
        {
            "actor": {"code": "DE", "name": "Germany"},
            "announced": {"value": "2022-04-04"},
            "headcount": {"qualifier": "EXACT", "value": 40},
        },
    ]
    assert page["totalCount"] == 2
    # The compiled read path answers it (one SQL statement), not only the executor.
    response = httpx.post(f"{api.url}/graphql", json={"query": EU_RUSSIANS_2022}, timeout=30)
    assert response.headers["x-demarche-read"] == "compiled"
    assert response.json()["data"]["expulsions"] == page


def test_the_united_kingdom_counts_as_an_eu_member_in_2018_and_not_in_2022(api: LiveServer, added: dict[str, str]) -> None:
    query = '{ expulsions(memberOf: "EU", actor: "GB") { nodes { id announced { value } } } }'
    assert [node["id"] for node in api.data(query)["expulsions"]["nodes"]] == [added["GB 2018"]]
    against_members = api.data('{ expulsions(targetMemberOf: "EU", actor: "RUS") { nodes { id } } }')["expulsions"]["nodes"]
    assert [node["id"] for node in against_members] == [added["RU 2018"]]


def test_actor_target_and_party_take_several_codes_and_one_code_still_works(api: LiveServer, added: dict[str, str]) -> None:
    both = api.data(SEVERAL_ACTORS, {"actors": ["POL", "de", "GB"]})["expulsions"]
    assert codes(both) == ["PL", "GB", "GB", "DE"]
    assert both["totalCount"] == 4
    assert codes(api.data(SEVERAL_ACTORS, {"actors": "PL"})["expulsions"]) == ["PL"]
    assert codes(api.data('{ expulsions(actor: "PL") { nodes { actor { code } } } }')["expulsions"]) == ["PL"]
    listed = api.data('{ expulsions(actor: ["US", "PL"], target: ["RU", "UA"], orderBy: RECORDED) { nodes { actor { code } } } }')
    assert codes(listed["expulsions"]) == ["US", "PL"]
    parties = api.data('{ expulsions(party: ["UA", "GB"], orderBy: RECORDED) { nodes { actor { code } target { code } } } }')
    assert [(n["actor"]["code"], n["target"]["code"]) for n in parties["expulsions"]["nodes"]] == [
        ("BY", "UA"),
        ("GB", "RU"),
        ("GB", "RU"),
        ("RU", "GB"),
    ]


@pytest.mark.parametrize(
    ("arguments", "argument", "code"),
    [
        ('actor: ["PL", "QQ"]', "actor", "NOT_FOUND"),
        ('target: ["RU", "XYZ"]', "target", "NOT_FOUND"),
        ('party: ["QQ"]', "party", "NOT_FOUND"),
        ('memberOf: "QQ"', "memberOf", "NOT_FOUND"),
        ('targetMemberOf: "QQ"', "targetMemberOf", "NOT_FOUND"),
        ("actor: []", "actor", "BAD_USER_INPUT"),
        ("actor: [" + ", ".join(['"PL"'] * 101) + "]", "actor", "BAD_USER_INPUT"),
        ('actor: ["P!"]', "actor", "BAD_USER_INPUT"),
    ],
)
def test_an_unknown_or_malformed_code_in_a_list_is_refused_naming_its_argument(
    api: LiveServer, arguments: str, argument: str, code: str
) -> None:
    query = f"{{ ok: states(first: 1) {{ totalCount }} bad: expulsions({arguments}) {{ totalCount }} }}"
    body = httpx.post(f"{api.url}/graphql", json={"query": query}, timeout=30).json()
    assert body["data"]["bad"] is None
    assert body["data"]["ok"]["totalCount"] > 0
    [error] = body["errors"]
    assert error["extensions"]["code"] == code, error
    assert error["extensions"]["argument"] == argument, error


def test_the_organisation_shows_its_members_at_a_date_and_the_state_its_memberships(api: LiveServer) -> None:
    in_1960 = api.data(MEMBERS, {"at": "1960-06-01"})["organisation"]["members"]
    assert sorted(member["state"]["code"] for member in in_1960) == ["BE", "DE", "FR", "IT", "LU", "NL"]
    assert {member["joined"]["value"] for member in in_1960} == {"1958-01-01"}
    in_2018 = api.data(MEMBERS, {"at": "2018-03-14"})["organisation"]["members"]
    in_2022 = api.data(MEMBERS, {"at": "2022-03-23"})["organisation"]["members"]
    assert (len(in_2018), len(in_2022)) == (28, 27)
    assert "GB" in {member["state"]["code"] for member in in_2018}
    assert "GB" not in {member["state"]["code"] for member in in_2022}
    assert all(member["source"]["url"].startswith("https://") and member["source"]["publisher"] for member in in_2022)
    everyone = api.data(MEMBERS)["organisation"]["members"]
    assert len(everyone) >= 28

    britain = api.data(STATE_MEMBERSHIPS, {"code": "GBR"})["state"]
    britain["memberships"] = [spell for spell in britain["memberships"] if spell["organisation"]["code"] == "EU"]
    assert britain["memberships"] == [
        {
            "organisation": {"code": "EU"},
            "joined": {"value": "1973-01-01"},
            "left": {"value": "2020-01-31"},
            "source": {"publisher": britain["memberships"][0]["source"]["publisher"]},
        }
    ]
    assert api.data(STATE_MEMBERSHIPS, {"code": "CH"})["state"]["memberships"] == [
        {"organisation": {"code": "COE"}, "joined": {"value": "1963-05-06"}, "left": None, "source": {"publisher": "Council of Europe"}}
    ]
    assert api.data(STATE_MEMBERSHIPS, {"code": "XK"})["state"]["memberships"] == []
    many = api.data("{ states(first: 100) { nodes { code memberships { organisation { code } } } } }")["states"]["nodes"]
    assert any(state["memberships"] for state in many)


def history_of(api: LiveServer, id: str) -> list[dict[str, Any]]:
    query = f"""# {uuid.uuid4().hex}
    query($id: ID!) {{ node(id: $id) {{ ... on Membership {{ version history(first: 20) {{ nodes {{
        action entity version author before after changedFields }} }} }} }} }}"""
    return list(api.data(query, {"id": id})["node"]["history"]["nodes"])


def as_token(api: LiveServer, secret: str | None, name: str, /, **variables: Any) -> dict[str, Any]:
    body = api.graphql(mutation_document(name), variables, token=secret)
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["result"]
    return result


def new_token(api: LiveServer, role: str) -> str:
    made = ok(mutate(api, "createToken", name=f"groups-{role}-{uuid.uuid4().hex[:8]}", role=role.upper()), "CreatedToken")
    secret: str = made["secret"]
    return secret


def test_memberships_are_created_ended_and_deleted_with_roles_and_history(api: LiveServer) -> None:
    editor, reader = new_token(api, "editor"), new_token(api, "reader")
    spell = {
        "organisation": "UN",
        "state": "FIN",
        "joined": "1955-12-14",
        "sourcePublisher": "United Nations",
        "sourceTitle": "Member States of the United Nations",
        "sourceUrl": "https://www.un.org/en/about-us/member-states",
    }
    refused = as_token(api, reader, "createMembership", input=spell)
    assert refused["__typename"] == "ForbiddenError", refused
    assert as_token(api, None, "createMembership", input=spell)["__typename"] == "UnauthenticatedError"

    made = ok(as_token(api, editor, "createMembership", input=spell), "Membership")
    assert (made["organisation"], made["state"], made["joined"]["value"], made["left"]) == (
        {"code": "UN"},
        {"code": "FI"},
        "1955-12-14",
        None,
    )
    assert made["source"]["url"] == spell["sourceUrl"]
    overlapping = as_token(api, editor, "createMembership", input={**spell, "joined": "1960"})
    assert overlapping["__typename"] == "ConflictError", overlapping
    assert_invalid(as_token(api, editor, "createMembership", input={**spell, "organisation": "SE"}), "organisation")
    assert_invalid(as_token(api, editor, "createMembership", input={**spell, "state": "EU"}), "state")
    assert_invalid(as_token(api, editor, "createMembership", input={**spell, "joined": "2023-13"}), "joined")
    missing = as_token(api, editor, "createMembership", input={**spell, "state": "QQ"})
    assert missing["__typename"] == "NotFoundError", missing

    ended = ok(as_token(api, editor, "endMembership", id=made["id"], expectedVersion=1, left="2030-12"), "Membership")
    assert ended["left"] == {"value": "2030-12", "precision": "MONTH", "start": "2030-12-01", "end": "2030-12-31"}
    assert ended["version"] == 2
    stale = as_token(api, editor, "endMembership", id=made["id"], expectedVersion=1, left="2031")
    assert stale["__typename"] == "VersionConflictError", stale
    assert_invalid(as_token(api, editor, "endMembership", id=made["id"], expectedVersion=2, left="1950"), "left")

    not_admin = as_token(api, editor, "deleteMembership", id=made["id"], expectedVersion=2)
    assert not_admin["__typename"] == "ForbiddenError", not_admin
    assert ok(mutate(api, "deleteMembership", id=made["id"], expectedVersion=2), "Deleted")["id"] == made["id"]
    assert api.data("query($id: ID!) { node(id: $id) { id } }", {"id": made["id"]})["node"] is None

    deletion = api.data(f'{{ history(recordId: "{made["id"]}", first: 10) {{ nodes {{ id action entity version before }} }} }}')["history"][
        "nodes"
    ]
    assert [(entry["action"], entry["entity"], entry["version"]) for entry in deletion] == [
        ("CREATE", "MEMBERSHIP", 1),
        ("UPDATE", "MEMBERSHIP", 2),
        ("DELETE", "MEMBERSHIP", 2),
    ]
    assert deletion[1]["before"]["left"] is None
    restored = ok(mutate(api, "restoreRecord", entryId=deletion[2]["id"]), "Membership")
    assert restored["id"] == made["id"]
    entries = history_of(api, made["id"])
    assert [entry["action"] for entry in entries] == ["CREATE", "UPDATE", "DELETE", "RESTORE"]
    assert entries[1]["changedFields"] == ["left"]
    assert entries[1]["after"]["left"] == "2030-12"
