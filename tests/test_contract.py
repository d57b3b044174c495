"""The published contract, checked on every run (the layering rules: tests/test_layers.py)."""

from __future__ import annotations

import json
from pathlib import Path

from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType, build_ast_schema, parse

from api.graphql.published import possible_types
from api.graphql.schema import FEDERATION_FIELDS, FEDERATION_TYPES, build_schema, client_schema, sdl, subgraph_sdl
from api.graphql.types.records import RECORD_TYPES
from cli.main import main


def test_committed_schema_matches_the_code(repository_root: Path) -> None:
    committed = (repository_root / "schema.graphql").read_text(encoding="utf-8")
    assert committed == sdl(), "schema.graphql is stale: run `demarche schema --write` and commit it"


def test_committed_subgraph_schema_and_possible_types_match_the_code(repository_root: Path) -> None:
    subgraph = (repository_root / "schema.subgraph.graphql").read_text(encoding="utf-8")
    assert subgraph == subgraph_sdl(), "schema.subgraph.graphql is stale: run `demarche schema --write` and commit it"
    committed = json.loads((repository_root / "schema.possible-types.json").read_text(encoding="utf-8"))
    assert committed == possible_types(client_schema(build_schema()._schema)), "schema.possible-types.json is stale"


def test_the_schema_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    schema_file = tmp_path / "schema.graphql"
    assert main(["schema", "--write", "--file", str(schema_file)]) == 0
    assert main(["schema", "--check", "--file", str(schema_file)]) == 0
    stale = tmp_path / "schema.possible-types.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace('"State"', '"Country"'), encoding="utf-8")
    assert main(["schema", "--check", "--file", str(schema_file)]) == 1


def test_clients_get_the_schema_without_federation_and_routers_get_every_key() -> None:
    plain = sdl()
    for name in (*FEDERATION_FIELDS, *FEDERATION_TYPES, "@key", "@link"):
        assert name not in plain
    subgraph = subgraph_sdl()
    assert subgraph.startswith('schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@key"]) {')
    for type_name, key in [
        ("Expulsion", "id"),
        ("Statement", "id"),
        ("Source", "id"),
        ("Wave", "id"),
        ("State", "code"),
        ("Organisation", "code"),
    ]:
        assert f"type {type_name} implements " in subgraph
        assert f'@key(fields: "{key}")' in subgraph.split(f"type {type_name} implements ", 1)[1].split("\n", 1)[0]
    assert "union _Entity = Expulsion | Organisation | Source | State | Statement | Wave" in subgraph
    # Beside the federation additions, the two are one schema: the subgraph's types are the clients' types.
    served = build_schema()._schema
    assert set(served.type_map) - set(build_ast_schema(parse(plain)).type_map) == set(FEDERATION_TYPES)
    assert set(served.query_type.fields) - set(client_schema(served).query_type.fields) == set(FEDERATION_FIELDS)  # type: ignore[union-attr]


def test_possible_types_name_every_abstract_type_with_its_members() -> None:
    found = possible_types(client_schema(build_schema()._schema))
    assert found["Actor"] == ["Organisation", "State"]
    assert set(found["Node"]) >= {type_.__name__ for type_ in RECORD_TYPES}
    assert "_Entity" not in found
    assert all(members == sorted(members) and members for members in found.values())


def test_every_type_field_and_argument_is_described() -> None:
    # The schema clients call; federation's own additions (`_entities`, `_service`, `_Any`, ...) are the spec's.
    schema = client_schema(build_schema()._schema)
    missing: list[str] = []
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID", "Date"}:
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in kind.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for argument_name, argument in getattr(field, "args", {}).items():
                    if not argument.description:
                        missing.append(f"{name}.{field_name}({argument_name})")
    assert missing == []
