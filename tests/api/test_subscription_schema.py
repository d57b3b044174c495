"""The subscription fields as the schema publishes them."""

from __future__ import annotations

from graphql import GraphQLArgument

from api.graphql.schema import build_schema

PAGING_AND_ORDER = {"first", "after", "last", "before", "orderBy", "direction", "asOf"}
"""What a list takes beside its filters: its page, its order, and the instant it reads (a feed reads only now)."""


def arguments(root: str) -> tuple[dict[str, GraphQLArgument], dict[str, GraphQLArgument]]:
    """The arguments of the `root` list and of the `root` subscription, as the schema publishes them."""
    schema = build_schema()._schema
    assert schema.query_type is not None
    assert schema.subscription_type is not None
    return schema.query_type.fields[root].args, schema.subscription_type.fields[root].args


def test_the_measures_subscription_takes_every_filter_of_the_expulsions_list_and_nothing_else_but_after() -> None:
    listing, feed = arguments("expulsions")
    assert set(feed) - {"after"} == set(listing) - PAGING_AND_ORDER
    for name in set(feed) - {"after"}:
        assert str(feed[name].type) == str(listing[name].type), name
        assert feed[name].description == listing[name].description, name


def test_the_history_subscription_takes_the_history_lists_filters_but_its_period() -> None:
    listing, feed = arguments("history")
    assert set(feed) - {"after"} == set(listing) - {"since", "until", "descending", "first", "after", "last", "before", "asOf"}
