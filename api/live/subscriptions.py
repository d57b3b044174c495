"""Subscriptions: the history as it is written, and the measures it changes, each resumable from an entry seen.

Served over graphql-transport-ws on /graphql (api/live/sockets.py). Each follows the process's one
`HistoryHub`: with `after`, every later entry is replayed from the history, then the feed goes on
live, with no gap and no duplicate at the seam.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.filtering import read_filter, takes_arguments, takes_filters
from api.graphql.history import HISTORY_FILTERS, filter_of
from api.graphql.inputs import node_id
from api.graphql.loading.loaders import Loaders
from api.graphql.queries import codes_of
from api.graphql.types.expulsions import Expulsion
from api.graphql.types.history import HistoryEntry, hidden_kinds
from api.live.hub import Following
from domain.errors import InvalidInput
from domain.read.filters import ExpulsionFilter
from domain.record import history
from domain.record.history import Change

EXPULSION = "Expulsion"

After = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description=(
            "Global ID of the last HistoryEntry already seen: every later entry is replayed from the history first, "
            "in order, then the feed goes on live, with no gap and no duplicate. Null: from now on."
        )
    ),
]


def _following(info: Info) -> Following:
    following = info.context.following
    if following is None:
        raise InvalidInput("subscription", "subscriptions are served over graphql-transport-ws on /graphql")
    return following


def _resumed_from(info: Info, after: strawberry.ID | None) -> int | None:
    """The entry a subscription starts after, checked before it begins (None: from now on)."""
    start = node_id("HistoryEntry", "after", after) if after is not None else None
    _following(info).started = start
    return start


async def _entries(info: Info, start: int | None) -> AsyncIterator[Change]:
    """The hub's entries for this subscription. The request's read connection goes back to the pool before each wait
    (a subscription holds none while idle), and its loaders are forgotten, so each event reads the record as it is then."""
    following = _following(info)
    entries = following.hub.entries(start)
    try:
        while True:
            await info.context.reads.close()
            change = await anext(entries)
            info.context.loaders = Loaders(info.context.reads)
            assert change.id is not None
            following.entry = change.id
            yield change
    finally:
        await entries.aclose()


@strawberry.type(description="A measure as the history changed it: the entry, and the measure as it is now (null once deleted).")
class ExpulsionChange:
    entry: HistoryEntry = strawberry.field(description="The history entry recording the change.")
    expulsion_id: relay.GlobalID = strawberry.field(description="Global ID of the measure changed (it may since have been deleted).")
    expulsion: Expulsion | None = strawberry.field(
        description="The measure as it is now, with any selection; null when the entry deleted it or it has been deleted since."
    )


@strawberry.type(
    description=(
        "Live feeds of the record, over graphql-transport-ws on /graphql. Each event carries its history entry; pass the last "
        "entry's id as `after` when reconnecting to receive everything said meanwhile, exactly once. A subscriber that falls "
        "too far behind receives an error with code SUBSCRIPTION_OVERFLOW and `extensions.after`, then completes."
    )
)
class Subscription:
    @strawberry.subscription(
        description=(
            "Every new entry of the history, as the `history` list shows it, filtered by author, kind of record, record and "
            "action. Entries about people (DIPLOMAT) are left out unless the socket's token has the editor role."
        )
    )
    @takes_arguments(HISTORY_FILTERS, following="after")
    async def history(self, info: Info, after: After = None, **given: Any) -> AsyncGenerator[HistoryEntry | None, None]:
        filter = filter_of(given, hidden=hidden_kinds(info))
        return _history(info, _resumed_from(info, after), filter)

    @strawberry.subscription(
        description=(
            "Every measure created, changed or deleted from now on (or after `after`), filtered as the `expulsions` list "
            "filters (judged on the measure as it is when the event is sent). A deletion goes to every subscriber, since a "
            "deleted measure cannot be judged by a filter."
        )
    )
    @takes_filters(ExpulsionFilter, following="after")
    async def expulsions(self, info: Info, after: After = None, **given: Any) -> AsyncGenerator[ExpulsionChange | None, None]:
        filter = await read_filter(ExpulsionFilter, codes_of(info), given)
        return _expulsions(info, _resumed_from(info, after), filter)


async def _history(info: Info, start: int | None, filter: history.HistoryFilter) -> AsyncGenerator[HistoryEntry | None, None]:
    async for change in _entries(info, start):
        if filter.admits(change):
            yield HistoryEntry.from_domain(change)


async def _expulsions(info: Info, start: int | None, filter: ExpulsionFilter) -> AsyncGenerator[ExpulsionChange | None, None]:
    async for change in _entries(info, start):
        if change.entity != EXPULSION:
            continue
        changed = relay.GlobalID(EXPULSION, str(change.record_id))
        if change.after is None:
            yield ExpulsionChange(entry=HistoryEntry.from_domain(change), expulsion_id=changed, expulsion=None)
            continue
        async with info.context.reads.use() as uow:
            found = await uow.expulsions.matching(filter, [change.record_id])
        if change.record_id in found:
            expulsion = Expulsion.from_domain(found[change.record_id])
            yield ExpulsionChange(entry=HistoryEntry.from_domain(change), expulsion_id=changed, expulsion=expulsion)
