"""What Demarche publishes for integrators beside its SDL: the possibleTypes of its abstract types, and the changes
between a released schema and the code's, as graphql-core finds them."""

from __future__ import annotations

import json
from dataclasses import dataclass

from graphql import (
    BreakingChange,
    DangerousChange,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    is_abstract_type,
)


def possible_types(schema: GraphQLSchema) -> dict[str, list[str]]:
    """Each interface and union, by name, with the object types that can stand for it, all in name order: the shape of
    Apollo Client's `possibleTypes` (InMemoryCache) for matching fragments on abstract types."""
    return {
        name: sorted(kind.name for kind in schema.get_possible_types(abstract))
        for name, abstract in sorted(schema.type_map.items())
        if is_abstract_type(abstract) and not name.startswith("__")
    }


def possible_types_json(schema: GraphQLSchema) -> str:
    """`possible_types` as the committed schema.possible-types.json holds it."""
    return json.dumps(possible_types(schema), indent=2) + "\n"


@dataclass(frozen=True)
class Changes:
    """How the code's schema differs from a released one, for its clients."""

    breaking: list[BreakingChange]
    """Changes that break a client written against the release: a field removed, an argument made required, ..."""
    dangerous: list[DangerousChange]
    """Changes that may change what such a client gets: an enum value or a union member added, a default changed, ..."""

    def lines(self) -> list[str]:
        return [f"breaking: {change.description} ({change.type.name})" for change in self.breaking] + [
            f"dangerous: {change.description} ({change.type.name})" for change in self.dangerous
        ]


def changes_since(released_sdl: str, current: GraphQLSchema) -> Changes:
    """The breaking and dangerous changes from the schema in `released_sdl` to `current` (graphql-core's own checks)."""
    released = build_schema(released_sdl)
    return Changes(find_breaking_changes(released, current), find_dangerous_changes(released, current))
