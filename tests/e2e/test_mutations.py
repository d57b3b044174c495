"""Every mutation on actors, missions, people, waves and sources, over HTTP, each checked by reading back.

One server per backend for the module; each test writes only records of its own.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.helpers import (
    FIELDS,
    MUTATIONS,
    LiveServer,
    assert_invalid,
    mutate,
    mutation_document,
    ok,
    read,
)


def state(api: LiveServer, code: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = api.data(f"query($c: String!) {{ state(code: $c) {{ __typename {FIELDS['State']} }} }}", {"c": code})[
        "state"
    ]
    return found


def organisation(api: LiveServer, code: str) -> dict[str, Any] | None:
    query = f"query($c: String!) {{ organisation(code: $c) {{ __typename {FIELDS['Organisation']} }} }}"
    found: dict[str, Any] | None = api.data(query, {"c": code})["organisation"]
    return found


def test_every_mutation_of_the_contract_has_a_happy_path_in_these_modules() -> None:
    here = Path(__file__).parent
    text = "".join(
        (here / module).read_text()
        for module in ("test_mutations.py", "test_mutations_measures.py", "test_access.py", "test_organisations.py")
    )
    # `mutate(api, "name"` or, as another caller, `mutate_as(api, token, "name"`.
    untested = [name for name in MUTATIONS if not re.search(rf'mutate(_as)?\(api, ([^,()]+, )?"{name}"', text)]
    assert untested == []


def test_create_organisation_stores_it_under_its_upper_cased_code(api: LiveServer) -> None:
    input = {"code": " oas ", "name": "Organization of American States", "officialName": "Organización de los Estados Americanos"}
    made = ok(mutate(api, "createOrganisation", input=input), "Organisation")
    assert made == {
        "__typename": "Organisation",
        "id": made["id"],
        "code": "OAS",
        "name": "Organization of American States",
        "kind": "ORGANISATION",
    }
    assert read(api, made["id"], "Organisation") == made
    assert organisation(api, "Oas") == made


def test_an_organisations_official_name_can_be_read_back(api: LiveServer) -> None:
    made = ok(
        mutate(api, "createOrganisation", input={"code": "WTO", "name": "WTO", "officialName": "World Trade Organization"}), "Organisation"
    )
    body = api.graphql("query($id: ID!) { node(id: $id) { ... on Organisation { officialName } } }", {"id": made["id"]})
    assert body.get("data") == {"node": {"officialName": "World Trade Organization"}}, body


def test_update_actor_renames_an_organisation_and_delete_actor_removes_it(api: LiveServer) -> None:
    made = ok(mutate(api, "createOrganisation", input={"code": "ICAO", "name": "ICAO"}), "Organisation")
    renamed = ok(mutate(api, "updateActor", id=made["id"], input={"name": "International Civil Aviation Organization"}), "Organisation")
    assert renamed == {**made, "name": "International Civil Aviation Organization"}
    assert organisation(api, "icao") == renamed
    assert ok(mutate(api, "deleteActor", id=made["id"]), "Deleted") == {"__typename": "Deleted", "id": made["id"]}
    assert read(api, made["id"], "Organisation") is None
    assert organisation(api, "ICAO") is None


def test_update_actor_keeps_omitted_fields_clears_a_null_official_name_and_refuses_a_null_name(api: LiveServer) -> None:
    iceland = state(api, "IS")
    assert iceland is not None
    assert iceland["officialName"]
    renamed = ok(mutate(api, "updateActor", id=iceland["id"], input={"name": "Ísland"}), "State")
    assert renamed == {**iceland, "name": "Ísland"}
    cleared = ok(mutate(api, "updateActor", id=iceland["id"], input={"officialName": None}), "State")
    assert cleared == {**renamed, "officialName": None}
    assert_invalid(mutate(api, "updateActor", id=iceland["id"], input={"name": None}), "name")
    assert state(api, "ISL") == {**iceland, "name": "Ísland", "officialName": None}


@pytest.mark.parametrize(("code", "asked_as"), [("BT", "btn"), ("YUCS", "yucs")])
def test_a_deleted_state_comes_back_from_iso_3166_through_create_state(api: LiveServer, code: str, asked_as: str) -> None:
    original = state(api, code)
    assert original is not None
    assert ok(mutate(api, "deleteActor", id=original["id"]), "Deleted")["id"] == original["id"]
    assert state(api, code) is None
    assert read(api, original["id"], "State") is None
    again = ok(mutate(api, "createState", code=asked_as), "State")
    assert again["id"] != original["id"]
    assert {**again, "id": None} == {**original, "id": None}
    assert state(api, code) == again


def test_create_mission_stores_a_permanent_mission_accredited_to_an_organisation(api: LiveServer) -> None:
    name = "Permanent Mission of the Russian Federation to the UN Office at Geneva"
    input = {"sendingState": "rus", "hostState": "ch", "kind": "PERMANENT_MISSION", "city": "Geneva", "name": name, "accreditedTo": "un"}
    made = ok(mutate(api, "createMission", input=input), "Mission")
    assert made == {
        "__typename": "Mission",
        "id": made["id"],
        "kind": "PERMANENT_MISSION",
        "city": "Geneva",
        "name": name,
        "sendingState": {"code": "RU"},
        "hostState": {"code": "CH"},
        "accreditedTo": {"code": "UN", "kind": "ORGANISATION"},
    }
    assert read(api, made["id"], "Mission") == made


def test_update_mission_keeps_omitted_fields_clears_null_name_and_refuses_null_kind(api: LiveServer) -> None:
    input = {"sendingState": "DE", "hostState": "NO", "kind": "EMBASSY", "city": "Oslo", "name": "German Embassy in Oslo"}
    made = ok(mutate(api, "createMission", input=input), "Mission")
    moved = ok(mutate(api, "updateMission", id=made["id"], input={"city": "Bergen", "kind": "CONSULATE_GENERAL"}), "Mission")
    assert moved == {**made, "city": "Bergen", "kind": "CONSULATE_GENERAL"}
    unnamed = ok(mutate(api, "updateMission", id=made["id"], input={"name": None}), "Mission")
    assert unnamed == {**moved, "name": None}
    for required in ("kind", "sendingState", "hostState"):
        assert_invalid(mutate(api, "updateMission", id=made["id"], input={required: None}), required)
    assert read(api, made["id"], "Mission") == unnamed


def test_delete_mission_removes_it(api: LiveServer) -> None:
    made = ok(mutate(api, "createMission", input={"sendingState": "SE", "hostState": "FI", "kind": "TRADE_MISSION"}), "Mission")
    assert ok(mutate(api, "deleteMission", id=made["id"]), "Deleted")["id"] == made["id"]
    assert read(api, made["id"], "Mission") is None
    listed = api.data('{ missions(sendingState: "SE", first: 100) { nodes { id } } }')["missions"]["nodes"]
    assert {"id": made["id"]} not in listed


def test_create_update_and_delete_a_diplomat(api: LiveServer) -> None:
    mission = ok(mutate(api, "createMission", input={"sendingState": "IR", "hostState": "AT", "kind": "EMBASSY"}), "Mission")
    input = {"sendingState": "irn", "staffCategory": "DIPLOMATIC", "name": "A. Rezaei", "rank": "COUNSELLOR", "missionId": mission["id"]}
    made = ok(mutate(api, "createDiplomat", input=input), "Diplomat")
    assert made == {
        "__typename": "Diplomat",
        "id": made["id"],
        "name": "A. Rezaei",
        "rank": "COUNSELLOR",
        "staffCategory": "DIPLOMATIC",
        "sendingState": {"code": "IR"},
        "mission": {"id": mission["id"]},
    }
    promoted = ok(mutate(api, "updateDiplomat", id=made["id"], input={"rank": "MINISTER"}), "Diplomat")
    assert promoted == {**made, "rank": "MINISTER"}
    anonymous = ok(mutate(api, "updateDiplomat", id=made["id"], input={"name": None, "missionId": None}), "Diplomat")
    assert anonymous == {**promoted, "name": None, "mission": None}
    assert_invalid(mutate(api, "updateDiplomat", id=made["id"], input={"staffCategory": None}), "staffCategory")
    assert read(api, made["id"], "Diplomat") == anonymous
    assert ok(mutate(api, "deleteDiplomat", id=made["id"]), "Deleted")["id"] == made["id"]
    assert read(api, made["id"], "Diplomat") is None


def test_create_update_and_delete_a_wave(api: LiveServer) -> None:
    made = ok(mutate(api, "createWave", input={"name": "April 2022 solidarity wave", "description": "EU states"}), "Wave")
    assert made == {"__typename": "Wave", "id": made["id"], "name": "April 2022 solidarity wave", "description": "EU states"}
    described = ok(mutate(api, "updateWave", id=made["id"], input={"description": "After Bucha"}), "Wave")
    assert described == {**made, "description": "After Bucha"}
    cleared = ok(mutate(api, "updateWave", id=made["id"], input={"description": None}), "Wave")
    assert cleared == {**made, "description": None}
    assert_invalid(mutate(api, "updateWave", id=made["id"], input={"name": None}), "name")
    assert read(api, made["id"], "Wave") == cleared
    assert ok(mutate(api, "deleteWave", id=made["id"]), "Deleted")["id"] == made["id"]
    assert read(api, made["id"], "Wave") is None


def test_create_update_and_delete_a_source(api: LiveServer) -> None:
    input = {
        "publisher": "Reuters",
        "title": "Poland expels 45",
        "kind": "WIRE_AGENCY",
        "url": "https://example.org/a",
        "published": "2022-03",
    }
    made = ok(mutate(api, "createSource", input=input), "Source")
    month = {"value": "2022-03", "precision": "MONTH", "start": "2022-03-01", "end": "2022-03-31"}
    assert made == {**input, "__typename": "Source", "id": made["id"], "published": month}
    retitled = ok(mutate(api, "updateSource", id=made["id"], input={"title": "Poland expels 45 Russians"}), "Source")
    assert retitled == {**made, "title": "Poland expels 45 Russians"}
    dated = ok(mutate(api, "updateSource", id=made["id"], input={"url": None, "published": "2022-03-23"}), "Source")
    day = {"value": "2022-03-23", "precision": "DAY", "start": "2022-03-23", "end": "2022-03-23"}
    assert dated == {**retitled, "url": None, "published": day}
    for required in ("publisher", "title", "kind"):
        assert_invalid(mutate(api, "updateSource", id=made["id"], input={required: None}), required)
    assert read(api, made["id"], "Source") == dated
    assert ok(mutate(api, "deleteSource", id=made["id"]), "Deleted")["id"] == made["id"]
    assert read(api, made["id"], "Source") is None


def test_a_write_makes_a_cached_answer_stale_at_once(api: LiveServer) -> None:
    ask = {"query": "query CachedWaves { waves(first: 100) { nodes { id name } } }"}
    first = api.client.post(f"{api.url}/graphql", json=ask)
    again = api.client.post(f"{api.url}/graphql", json=ask)
    assert again.json() == first.json()
    assert again.headers.get("x-demarche-cache") == "hit"
    made = ok(mutate(api, "createWave", input={"name": "Seen at once"}), "Wave")
    after = api.client.post(f"{api.url}/graphql", json=ask)
    assert after.headers.get("x-demarche-cache") != "hit"
    assert after.json()["data"]["waves"]["nodes"] == [*first.json()["data"]["waves"]["nodes"], {"id": made["id"], "name": "Seen at once"}]


def test_twenty_concurrent_creations_all_succeed_and_are_all_stored(api: LiveServer) -> None:
    document = mutation_document("createWave")

    async def create_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=api.url, timeout=60, headers=api.headers(api.token)) as client:
            asks = [{"query": document, "variables": {"input": {"name": f"Concurrent wave {n}"}}} for n in range(20)]
            return await asyncio.gather(*(client.post("/graphql", json=ask) for ask in asks))

    responses = asyncio.run(create_all())
    assert [r.status_code for r in responses] == [200] * 20
    made = [r.json()["data"]["result"] for r in responses]
    assert {m["__typename"] for m in made} == {"Wave"}
    assert len({m["id"] for m in made}) == 20
    stored = {w["name"]: w["id"] for w in api.data("{ waves(first: 100) { nodes { id name } } }")["waves"]["nodes"]}
    assert {m["name"]: m["id"] for m in made}.items() <= stored.items()


def test_a_membership_is_created_ended_read_back_and_deleted(api: LiveServer) -> None:
    input = {
        "organisation": "un",
        "state": "SWE",
        "joined": "1946-11-19",
        "sourcePublisher": "United Nations",
        "sourceTitle": "Member States of the United Nations",
        "sourceUrl": "https://www.un.org/en/about-us/member-states",
    }
    made = ok(mutate(api, "createMembership", input=input), "Membership")
    assert (made["organisation"], made["state"], made["joined"]["value"], made["left"], made["version"]) == (
        {"code": "UN"},
        {"code": "SE"},
        "1946-11-19",
        None,
        1,
    )
    assert read(api, made["id"], "Membership") == {"__typename": "Membership", **made}
    ended = ok(mutate(api, "endMembership", id=made["id"], left="2099"), "Membership")
    assert (ended["left"]["value"], ended["version"]) == ("2099", 2)
    assert read(api, made["id"], "Membership") == {"__typename": "Membership", **ended}
    assert_invalid(mutate(api, "endMembership", id=made["id"], left="2099-02-30"), "left")
    assert ok(mutate(api, "deleteMembership", id=made["id"]), "Deleted")["id"] == made["id"]
    assert read(api, made["id"], "Membership") is None
