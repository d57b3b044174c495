"""Described argument types shared by many fields."""

from __future__ import annotations

from typing import Annotated

import strawberry

RecordId = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the record.")]
MeasureId = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the Expulsion.")]
AnsweredId = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the earlier Expulsion being answered.")]
DiplomatId = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the Diplomat.")]
StatementId = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the Statement.")]
NEW = strawberry.argument(description="The new record's values.")
CHANGES = strawberry.argument(description="The fields to change; omitted fields keep their values, null clears an optional one.")
ExpectedVersion = Annotated[
    int,
    strawberry.argument(description="The record's `version` as read before this edit; if it has changed since, nothing is written."),
]
OptionalVersion = Annotated[
    int | None,
    strawberry.argument(description="The record's `version` as read; when given and no longer current, nothing is written."),
]
