"""Introspection turned off (DEMARCHE_INTROSPECTION=false): `__schema`, `__type` and a router's `_service { sdl }` are
refused by validation, before anything runs, with the code INTROSPECTION_DISABLED. `__typename` stays: clients need it
to tell the members of a union apart, and it tells nothing of the schema."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule, get_named_type

CODE = "INTROSPECTION_DISABLED"
FIELDS = frozenset({"__schema", "__type"})
SERVICE = "_service"
"""The federation router's field that answers the whole SDL."""


class NoIntrospection(ValidationRule):
    """Refuses every selection of the schema's description: `__schema`, `__type`, and `_service` on the root query."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        name = node.name.value
        parent = self.context.get_parent_type()
        at_root = parent is not None and get_named_type(parent) is self.context.schema.query_type
        if name in FIELDS or (name == SERVICE and at_root):
            message = f"introspection is turned off on this server: `{name}` cannot be asked; the schema is published as schema.graphql"
            self.report_error(GraphQLError(message, node, extensions={"code": CODE}))
