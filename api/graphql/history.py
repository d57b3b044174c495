"""History, tokens and the caller, on the query side; restoring records, erasing personal data and managing tokens, on the mutation side."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import strawberry

from api.graphql.connections import Connection, PageArguments, paged
from api.graphql.context import Info
from api.graphql.errors import outcome
from api.graphql.filtering import takes_arguments
from api.graphql.inputs import node_id
from api.graphql.mutations import common
from api.graphql.types.history import (
    PRIVATE,
    ChangeAction,
    HistoryEntry,
    PersonalDataErased,
    RecordKind,
    decode_record_id,
    history_connection,
    history_filter,
)
from api.graphql.types.records import BUILDERS, RECORD_TYPES
from api.limits.access import RoleType, admin_mutation, require_admin
from domain import access
from domain.errors import Code, InvalidInput
from domain.read.criteria import Argument
from domain.record import history
from domain.use_cases import history as history_use_cases
from domain.use_cases import tokens as token_use_cases


@strawberry.type(description="The caller, as its bearer token identifies it.")
class Viewer:
    name: str = strawberry.field(description="The token's name; changes made with it are recorded under this name.")
    role: RoleType = strawberry.field(description="What the token may do.")


@strawberry.type(description="A bearer token; its secret is never shown again after it is created.")
class ApiToken:
    name: str = strawberry.field(description="Unique name; the history records changes under it.")
    role: RoleType = strawberry.field(description="What the token may do.")
    created_at: datetime = strawberry.field(description="When it was created (UTC).")
    created_by: str = strawberry.field(description="Who created it: a token's name, or 'cli' for the command line.")
    revoked_at: datetime | None = strawberry.field(description="When it was revoked; null while it is active.")

    @classmethod
    def from_domain(cls, token: access.ApiToken) -> ApiToken:
        return cls(name=token.name, role=token.role, created_at=token.created_at, created_by=token.created_by, revoked_at=token.revoked_at)


@strawberry.type(description="A new token and its secret. Store the secret now: only its hash is kept, and it cannot be shown again.")
class CreatedToken:
    token: ApiToken = strawberry.field(description="The token.")
    secret: str = strawberry.field(description="The bearer secret: send it as `Authorization: Bearer <secret>`.")


RestoreResult = common.result_union(
    "RestoreResult", *RECORD_TYPES, description="The restored record as stored again, or why nothing was written."
)
CreateTokenResult = common.result_union(
    "CreateTokenResult", CreatedToken, description="The new token with its secret, or why none was made."
)
ErasePersonalDataResult = common.result_union(
    "ErasePersonalDataResult", PersonalDataErased, description="What the erasure did, or why nothing was erased."
)
RevokeTokenResult = common.result_union("RevokeTokenResult", ApiToken, description="The revoked token, or why nothing changed.")

HISTORY_FILTERS = (
    Argument("author", str, "Only changes made with this token name."),
    Argument("entity", RecordKind, "Only changes to this kind of record."),
    Argument("record_id", strawberry.ID, "Only changes to the record with this global ID."),
    Argument("actions", list[ChangeAction], "Only changes of these kinds."),
)
"""The arguments the history list and the history feed both filter by."""


def filter_of(given: Mapping[str, Any], **narrowing: Any) -> history.HistoryFilter:
    """The history filter of the `HISTORY_FILTERS` arguments given, narrowed further by a field's own."""
    entity, record_id, actions = given.get("entity"), given.get("record_id"), given.get("actions")
    return history_filter(entity, record_id, actions=actions, author=given.get("author"), **narrowing)


EntryId = Annotated[strawberry.ID, strawberry.argument(description="Global ID of the HistoryEntry recording the deletion.")]
TokenName = Annotated[str, strawberry.argument(description="The token's unique name.")]


@strawberry.type
class HistoryQueries:
    @strawberry.field(
        description=(
            "The append-only history of every change to the record, oldest first (or newest first with `descending`), "
            f"filtered by author, kind of record, record, action and time. {PRIVATE}"
        )
    )
    @takes_arguments(HISTORY_FILTERS)
    @paged
    async def history(
        self,
        info: Info,
        page: PageArguments,
        since: Annotated[datetime | None, strawberry.argument(description="Only changes at or after this time.")] = None,
        until: Annotated[datetime | None, strawberry.argument(description="Only changes at or before this time.")] = None,
        descending: Annotated[bool, strawberry.argument(description="Newest first.")] = False,
        **given: Any,
    ) -> Connection[HistoryEntry] | None:
        filter = filter_of(given, since=since, until=until)
        return await history_connection(info, filter, page, descending=descending)

    @strawberry.field(description="The caller as its bearer token identifies it; null without a token.")
    def viewer(self, info: Info) -> Viewer | None:
        principal = info.context.caller.principal
        return None if principal is None else Viewer(name=principal.name, role=principal.role)

    @strawberry.field(description="Every bearer token, active or revoked, oldest first (never their secrets). Needs the admin role.")
    async def tokens(self, info: Info) -> list[ApiToken] | None:
        require_admin(info)
        return [ApiToken.from_domain(token) for token in await token_use_cases.list_tokens(uow=info.context.uow_factory.reader())]


@strawberry.type
class HistoryMutations:
    @strawberry.mutation(
        description=(
            "Bring back a deleted record from the history entry of its deletion, with its id and values; "
            "every rule is checked again, so records it refers to must exist."
        )
    )
    async def restore_record(self, info: Info, entry_id: EntryId) -> RestoreResult:
        async def run() -> Any:
            kind, record = await history_use_cases.restore(node_id("HistoryEntry", "entryId", entry_id), uow=info.context.uow_factory())
            return BUILDERS[kind](record)

        return await outcome(run)

    @admin_mutation(
        "Erase a person's identifying fields (a diplomat's name, a statement's speaker's name) for good: from the live record "
        "if it still exists, and from every history entry about it, in one transaction. A REDACT entry records who erased, "
        "when and why; the erased values are kept nowhere, and nothing else in the history changes. A statement that names "
        "its speaker but no role is refused (`speakerRole`): it must keep one of the two."
    )
    async def erase_personal_data(
        self,
        info: Info,
        record_id: Annotated[
            strawberry.ID,
            strawberry.argument(description="Global ID of the record naming the person (a Diplomat or a Statement), live or deleted."),
        ],
        reason: Annotated[
            str, strawberry.argument(description="Why the data is erased (e.g. the request it answers); kept in the history.")
        ],
    ) -> ErasePersonalDataResult:
        async def run() -> PersonalDataErased:
            decoded = decode_record_id(record_id)
            if decoded is None:
                raise InvalidInput("recordId", f"recordId {record_id!r} is not the global ID of a record", Code.INVALID_ID)
            erasure = history.Erasure(*decoded, reason=reason)
            return PersonalDataErased.from_domain(await history_use_cases.erase_personal_data(erasure, uow=info.context.uow_factory()))

        return await outcome(run)

    @admin_mutation("Create a bearer token; its secret is in the result, once.")
    async def create_token(
        self,
        info: Info,
        name: TokenName,
        role: Annotated[RoleType, strawberry.argument(description="What the token may do.")],
    ) -> CreateTokenResult:
        async def run() -> CreatedToken:
            author = info.context.uow_factory.author
            token, secret = await token_use_cases.issue_token(name, role, uow=info.context.uow_factory(), created_by=author)
            return CreatedToken(token=ApiToken.from_domain(token), secret=secret)

        return await outcome(run)

    @admin_mutation("Revoke a bearer token for good; requests with it are refused from now on.")
    async def revoke_token(self, info: Info, name: TokenName) -> RevokeTokenResult:
        async def run() -> ApiToken:
            return ApiToken.from_domain(await token_use_cases.revoke_token(name, uow=info.context.uow_factory()))

        return await outcome(run)
