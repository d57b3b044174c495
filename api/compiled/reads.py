"""The compiled read path: a query whose root fields all plan is answered from one SQL statement per
root field, in one read transaction, its JSON text stitched into the response as the database built it.

Anything else — mutations, introspection, fields not compiled, any argument the executor would
refuse — is left to the executor, which stays the reference: it returns None here.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any, TypeVar

from graphql import DirectiveNode, DocumentNode, GraphQLError, VariableNode, Visitor, visit

from api.compiled.planner import Planned, Planner, strawberry_arguments
from api.graphql.context import Context
from api.graphql.schema import DemarcheSchema
from domain.errors import DomainError
from domain.read.plans import NeverAnswerable, RecordReader, Unanswerable
from domain.record.history import reads_personal_data

log = logging.getLogger(__name__)
T = TypeVar("T")

DOCUMENTS = 256
NEVER = ("", "never")
"""Where a document's shapes record that it selects something that never compiles."""
EXPECTED = (Unanswerable, DomainError, GraphQLError, ValueError, TypeError)
"""Why a request is left to the executor: it does not compile, or the executor will refuse its arguments."""


class CompiledJson(str):
    """A response's `data` as JSON text, already built."""

    __slots__ = ()


class CompiledReads:
    """Answers what it can of one schema's queries without the executor."""

    def __init__(self, schema: DemarcheSchema) -> None:
        self.schema = schema
        self.arguments = strawberry_arguments(schema)
        self._switches: OrderedDict[str, tuple[DocumentNode, tuple[str, ...]]] = OrderedDict()
        self._shapes: OrderedDict[tuple[str, str | None, str], dict[tuple[str, str], Any]] = OrderedDict()

    def document(self, query: str) -> tuple[DocumentNode, tuple[str, ...]] | None:
        """The parsed document and the variables its `@skip`/`@include` read, when it is valid; else None.
        Each document is parsed and validated once, in the schema's cache of documents."""
        found = self._switches.get(query)
        if found is not None:
            self._switches.move_to_end(query)
            return found
        prepared = self.schema.documents.prepare(query)
        if prepared.document is None or prepared.errors:
            return None
        found = self._switches[query] = (prepared.document, switch_variables(prepared.document))
        while len(self._switches) > DOCUMENTS:
            self._switches.popitem(last=False)
        return found

    def shapes(
        self, query: str, switches: tuple[str, ...], operation_name: str | None, variables: dict[str, Any] | None, *, personal: bool = False
    ) -> dict[tuple[str, str], Any]:
        """The shapes planned for this document and operation, kept across requests; the values of the
        variables that `@skip` or `@include` read are part of the key, as they change what is selected, and so is
        whether the caller may read personal fields, as a shape planned for one who may holds them."""
        values = json.dumps([(variables or {}).get(name) for name in switches], sort_keys=True, default=str)
        key = (query, operation_name, values + ("+personal" if personal else ""))
        found = self._shapes.get(key)
        if found is None:
            found = self._shapes[key] = {}
            while len(self._shapes) > DOCUMENTS:
                self._shapes.popitem(last=False)
        else:
            self._shapes.move_to_end(key)
        return found

    async def answer(self, query: str | None, variables: dict[str, Any] | None, operation_name: str | None, context: Context) -> str | None:
        """The response's `data` as JSON text, or None when the executor must answer."""
        caller = context.caller
        if caller.refused or caller.unavailable or (caller.principal is None and context.settings.reads_require_token):
            return None
        if context.as_of_problem is not None:
            return None  # the executor reports it on every root field
        known = self.document(query) if isinstance(query, str) else None
        if known is None or not isinstance(query, str):
            return None
        document, switches = known
        principal = caller.principal
        personal = reads_personal_data(None if principal is None else principal.role)
        shapes = self.shapes(query, switches, operation_name, variables, personal=personal)
        if NEVER in shapes:
            return None
        planner = Planner(self.schema._schema, self.arguments, context.settings, shapes, personal=personal)

        async def plan() -> Planned:
            try:
                return await planner.plan(document, variables, operation_name)
            except NeverAnswerable as reason:
                # Known from now on for this document: its next requests go to the executor at once.
                shapes[NEVER] = reason
                raise

        planned = await _or_executor("plan", plan())
        if planned is None:
            return None
        plans = [plan for _, plan in planned.fields if not isinstance(plan, str)]

        async def answer() -> list[str | None]:
            async with context.reads.use() as repositories:
                reader: RecordReader = repositories.reader
                return await reader.answer(plans)

        answers = await _or_executor("answer", answer()) if plans else []
        if answers is None:
            return None
        if any(answer is None for answer in answers):
            return None
        given = iter(answers)
        parts = [f"{json.dumps(key)}:{plan if isinstance(plan, str) else next(given)}" for key, plan in planned.fields]
        return CompiledJson("{" + ",".join(parts) + "}")


async def _or_executor(step: str, work: Awaitable[T]) -> T | None:
    """What a step of the compiled path gives, or None (the executor answers the request) when it cannot be taken."""
    try:
        return await work
    except EXPECTED as reason:
        log.debug("not compiled: %s", reason)
        return None
    except Exception:
        # A fault of the compiled path, not of the request: the executor still answers it.
        log.exception("the compiled read path failed to %s a query; the executor answers it", step)
        return None


def switch_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables a document's `@skip` and `@include` directives read."""
    found: list[str] = []

    class Switches(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    found.append(argument.value.name.value)

    visit(document, Switches())
    return tuple(sorted(set(found)))
