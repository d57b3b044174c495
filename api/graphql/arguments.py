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
Code = Annotated[str | None, strawberry.argument(description="A state code (alpha-2, alpha-3 or ISO 3166-3) or organisation code.")]
CodeList = Annotated[
    list[str] | None,
    strawberry.argument(
        description="Codes of states (alpha-2, alpha-3 or ISO 3166-3) or organisations: any of them matches. One code may be given alone."
    ),
]
StateCodeList = Annotated[
    list[str] | None,
    strawberry.argument(
        description="State codes (alpha-2, alpha-3 or ISO 3166-3, any case): any of them matches. One code may be given alone."
    ),
]
StateCode = Annotated[str | None, strawberry.argument(description="A state code: alpha-2, alpha-3 or ISO 3166-3, any case.")]
ExpectedVersion = Annotated[
    int,
    strawberry.argument(description="The record's `version` as read before this edit; if it has changed since, nothing is written."),
]
OptionalVersion = Annotated[
    int | None,
    strawberry.argument(description="The record's `version` as read; when given and no longer current, nothing is written."),
]
