"""Statements, sources and citations."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.types.actors import Actor
from api.graphql.types.expulsions import Expulsion
from api.graphql.types.history import Recorded, personal_field
from api.graphql.types.nodes import resolve_nodes
from api.graphql.types.preloading import related
from api.graphql.types.values import Channel, HeadcountType, PartialDateType, SourceKind, Stance
from domain.read.plans import Record
from domain.record import sources, statements


@strawberry.type(description="A published document the record relies on.")
class Source(relay.Node, Recorded):
    id: relay.NodeID[int]
    publisher: str = strawberry.field(description="Who published it (a ministry, an agency, an outlet, a platform).")
    title: str = strawberry.field(description="Its title, or a description when it has none.")
    kind: SourceKind = strawberry.field(description="Official, wire agency, media, state media or social media.")
    url: str | None = strawberry.field(description="Where it can be read, if known.")
    published: PartialDateType | None = strawberry.field(description="When it was published, to the precision known.")

    @classmethod
    def from_domain(cls, entity: sources.Source) -> Source:
        assert entity.id is not None
        return cls(
            id=entity.id,
            version=entity.version,
            publisher=entity.publisher,
            title=entity.title,
            kind=entity.kind,
            url=entity.url,
            published=PartialDateType.from_domain(entity.published),
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "source", node_ids, cls.from_domain)


@strawberry.type(description="A source backing one measure or one statement, with what that source itself said.")
class Citation(relay.Node, Recorded):
    id: relay.NodeID[int]
    excerpt: str | None = strawberry.field(description="The passage of the source relied on.")
    reported_headcount: HeadcountType | None = strawberry.field(
        description="The headcount this source reported, which may differ from the measure's preferred figure."
    )
    _entity: strawberry.Private[sources.Citation]
    _preloaded: strawberry.Private[dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_domain(cls, entity: sources.Citation) -> Citation:
        assert entity.id is not None
        return cls(
            id=entity.id,
            version=entity.version,
            excerpt=entity.excerpt,
            reported_headcount=HeadcountType.from_domain(entity.reported_headcount),
            _entity=entity,
        )

    @strawberry.field(description="The source cited.")
    def source(self, info: Info) -> Source:
        return related(self, info, Record.CITATION, "source")  # type: ignore[no-any-return]

    @strawberry.field(description="The measure this citation backs, if it backs a measure.")
    def measure(self, info: Info) -> Expulsion | None:
        return related(self, info, Record.CITATION, "measure")  # type: ignore[no-any-return]

    @strawberry.field(description="The statement this citation backs, if it backs a statement.")
    def statement(self, info: Info) -> Statement | None:
        return related(self, info, Record.CITATION, "statement")  # type: ignore[no-any-return]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "citation", node_ids, cls.from_domain)


@strawberry.type(description="Something said by a named person or a role, on behalf of a state or organisation, quoted verbatim.")
class Statement(relay.Node, Recorded):
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

    @classmethod
    def from_domain(cls, entity: statements.Statement) -> Statement:
        assert entity.id is not None
        return cls(
            id=entity.id,
            version=entity.version,
            speaker_role=entity.speaker_role,
            channel=entity.channel,
            relayed_by=entity.relayed_by,
            stance=entity.stance,
            quote=entity.quote,
            quote_language=entity.quote_language,
            translation=entity.translation,
            translation_language=entity.translation_language,
            said_on=PartialDateType.from_domain(entity.said_on),
            _entity=entity,
        )

    @strawberry.field(description="The state or organisation on whose behalf it was said.")
    def on_behalf_of(self, info: Info) -> Actor:
        return related(self, info, Record.STATEMENT, "on_behalf_of")  # type: ignore[no-any-return]

    @strawberry.field(description="The measures it is about; empty for a statement about no expulsion.")
    def measures(self, info: Info) -> list[Expulsion]:
        return related(self, info, Record.STATEMENT, "measures")  # type: ignore[no-any-return]

    @strawberry.field(description="The sources that report it.")
    def citations(self, info: Info) -> list[Citation]:
        return related(self, info, Record.STATEMENT, "citations")  # type: ignore[no-any-return]

    @classmethod
    async def resolve_nodes(cls, *, info: Info, node_ids: Iterable[str], required: bool = False) -> list[Any]:
        return await resolve_nodes(info, "statement", node_ids, cls.from_domain)
