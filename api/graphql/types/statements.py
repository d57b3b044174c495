"""Statements, sources and citations."""

from __future__ import annotations

import dataclasses
from typing import Any

import strawberry
from strawberry import relay

from api.graphql.types.history import Recorded, personal_field
from api.graphql.types.nodes import FromEntity
from api.graphql.types.preloading import with_relations
from api.graphql.types.values import Channel, HeadcountType, PartialDateType, SourceKind, Stance
from domain.read.plans import Record
from domain.record import sources, statements


@strawberry.federation.type(keys=["id"], description="A published document the record relies on.")
class Source(FromEntity, relay.Node, Recorded):
    id: relay.NodeID[int]
    publisher: str = strawberry.field(description="Who published it (a ministry, an agency, an outlet, a platform).")
    title: str = strawberry.field(description="Its title, or a description when it has none.")
    kind: SourceKind = strawberry.field(description="Official, wire agency, media, state media or social media.")
    url: str | None = strawberry.field(description="Where it can be read, if known.")
    published: PartialDateType | None = strawberry.field(description="When it was published, to the precision known.")


@strawberry.type(description="A source backing one measure or one statement, with what that source itself said.")
@with_relations(Record.CITATION)
class Citation(FromEntity, relay.Node, Recorded):
    id: relay.NodeID[int]
    excerpt: str | None = strawberry.field(description="The passage of the source relied on.")
    reported_headcount: HeadcountType | None = strawberry.field(
        description="The headcount this source reported, which may differ from the measure's preferred figure."
    )
    _entity: strawberry.Private[sources.Citation]
    _preloaded: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)


@strawberry.federation.type(
    keys=["id"], description="Something said by a named person or a role, on behalf of a state or organisation, quoted verbatim."
)
@with_relations(Record.STATEMENT)
class Statement(FromEntity, relay.Node, Recorded):
    id: relay.NodeID[int]
    speaker_name: str | None = personal_field("speaker_name", "The speaker's name; null when only the role is known.")
    speaker_role: str | None = strawberry.field(description="The speaker's role, e.g. 'State Department spokesman'.")
    channel: Channel | None = strawberry.field(description="How it was made public; null when the reports do not say.")
    relayed_by: str | None = strawberry.field(description="The outlet that relayed it, e.g. a news agency such as Interfax.")
    stance: Stance = strawberry.field(description="What it does: announces, justifies, condemns, threatens, confirms or denies.")
    quote: str = strawberry.field(description="The verbatim quote, in its original language.")
    quote_language: str = strawberry.field(description="Language tag of the quote, e.g. 'en', 'ru'.")
    translation: str | None = strawberry.field(description="A translation of the quote, if it is not in English.")
    translation_language: str | None = strawberry.field(description="Language tag of the translation.")
    said_on: PartialDateType | None = strawberry.field(description="When it was said, to the precision known.")
    _entity: strawberry.Private[statements.Statement]
    _preloaded: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)
