"""Subscriptions: the history as it is written, and the measures it changes, each resumable from an entry seen.

Served over graphql-transport-ws on /graphql (api/live/sockets.py). Each follows the process's one
`HistoryHub`: with `after`, every later entry is replayed from the history, then the feed goes on
live, with no gap and no duplicate at the seam.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import strawberry
from strawberry import relay

from api.graphql.context import Info
from api.graphql.filtering import read_filter, takes_arguments, takes_filters
from api.graphql.history import HISTORY_FILTERS, filter_of
from api.graphql.inputs import node_id
from api.graphql.queries import codes_of
from api.graphql.types.expulsions import Expulsion
from api.graphql.types.history import PRIVATE, HistoryEntry
from api.live.hub import Following, Overflow, Unpaid
from domain.errors import Code, InvalidInput
from domain.read.filters import ExpulsionFilter
from domain.record import history
from domain.record.history import Change

EXPULSION = "Expulsion"

FROM_THE_START = str(relay.GlobalID("HistoryEntry", "0"))
"""The `after` that replays the whole history: the global ID of entry 0, before the first ("SGlzdG9yeUVudHJ5OjA=")."""

After = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description=(
            "Global ID of the last HistoryEntry already seen: every later entry is replayed from the history first, "
            "in order, then the feed goes on live, with no gap and no duplicate. The ID of entry 0, "
            f'"{FROM_THE_START}" (HistoryEntry:0), replays the whole history from its first entry; an entry past the '
            "latest is refused (BAD_USER_INPUT). Null: from now on. A replay spends rate-limit points page by page, as many "
            "as the events it reads would cost; one that runs out ends with RATE_LIMITED, `extensions.after` and "
            "`retryAfter`, to resume later."
        )
    ),
]


def _following(info: Info) -> Following:
    following = info.context.following
    if following is None:
        raise InvalidInput("subscription", "subscriptions are served over graphql-transport-ws on /graphql", Code.INVALID_FORMAT)
    return following


def _entry_after(after: str) -> int:
    """The entry number an `after` names; the ID of entry 0 stands for "from the start"."""
    with contextlib.suppress(relay.GlobalIDValueError):
        if after == FROM_THE_START or relay.GlobalID.from_id(after) == relay.GlobalID("HistoryEntry", "0"):
            return 0
    return node_id("HistoryEntry", "after", after)


async def _resumed_from(info: Info, after: strawberry.ID | None) -> int | None:
    """The entry a subscription starts after, checked before it begins (None: from now on)."""
    following = _following(info)
    start = _entry_after(after) if after is not None else None
    if start is not None and start > following.hub.position:
        latest = await following.hub.latest()
        if start > latest:
            raise InvalidInput(
                "after",
                f"after names entry {start}, past the latest entry ({latest}): pass the id of an entry received, "
                f'or "{FROM_THE_START}" (HistoryEntry:0) to replay from the start',
                Code.INVALID_CURSOR,
            )
    following.started = start
    return start


async def _entries(info: Info, start: int | None) -> AsyncIterator[Change]:
    """The hub's entries for this subscription. Each event is shaped on the fan-out's shared reads and loaders for its
    entry (api/live/fanout.py), which hold no connection while idle, so each event reads the record as it is then.
    An entry ends early (`Following.stopped`) when the subscriber fell behind or its replay ran out of points."""
    following = _following(info)
    entries = following.hub.entries(
        start, page=following.page, pay=following.pay, caught_up=following.caught_up, listening=following.listening
    )
    try:
        while True:
            following.release()
            try:
                change = await anext(entries)
            except (Overflow, Unpaid) as stopped:
                following.stopped = stopped
                return
            assert change.id is not None
            info.context.loaders = following.fanout.loaders_for(change.id)
            following.entry = change.id
            yield change
    finally:
        following.release()
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
            f"action. {PRIVATE}"
        )
    )
    @takes_arguments(HISTORY_FILTERS, following="after")
    async def history(self, info: Info, after: After = None, **given: Any) -> AsyncGenerator[HistoryEntry | None, None]:
        filter = filter_of(given)
        return _history(info, await _resumed_from(info, after), filter)

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
        return _expulsions(info, await _resumed_from(info, after), filter)


async def _history(info: Info, start: int | None, filter: history.HistoryFilter) -> AsyncGenerator[HistoryEntry | None, None]:
    following = _following(info)
    async for change in _entries(info, start):
        if filter.admits(change):
            await following.take_turn()
            yield HistoryEntry.from_domain(change)


async def _expulsions(info: Info, start: int | None, filter: ExpulsionFilter) -> AsyncGenerator[ExpulsionChange | None, None]:
    following = _following(info)
    async for change in _entries(info, start):
        if change.entity != EXPULSION:
            continue
        assert change.id is not None
        changed = relay.GlobalID(EXPULSION, str(change.record_id))
        if change.after is None:
            await following.take_turn()
            yield ExpulsionChange(entry=HistoryEntry.from_domain(change), expulsion_id=changed, expulsion=None)
            continue
        found = await following.fanout.admitted(change.id, change.record_id, filter)
        if found is not None:
            await following.take_turn()
            yield ExpulsionChange(entry=HistoryEntry.from_domain(change), expulsion_id=changed, expulsion=Expulsion.from_domain(found))
