"""The compiled read path: a query whose root fields all plan is answered from one SQL statement per
root field, in one read transaction, its JSON text stitched into the response as the database built it.

Anything else — mutations, introspection, fields not compiled, any argument the executor would
refuse — is left to the executor, which stays the reference: it returns None here.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any

from graphql import DocumentNode, GraphQLError, parse, specified_rules
from strawberry.schema.schema import validate_document

from api.context import Context
from api.planner import Planner, strawberry_arguments
from api.schema import DemarcheSchema
from domain.errors import DomainError
from domain.reading import Unanswerable

log = logging.getLogger(__name__)

DOCUMENTS = 256


class CompiledJson(str):
    """A response's `data` as JSON text, already built."""

    __slots__ = ()


class CompiledReads:
    """Answers what it can of one schema's queries without the executor."""

    def __init__(self, schema: DemarcheSchema) -> None:
        self.schema = schema
        self.rules = (*specified_rules, *schema.limit_rules)
        self._documents: OrderedDict[str, DocumentNode | None] = OrderedDict()

    def document(self, query: str) -> DocumentNode | None:
        """The parsed document when it is valid, else None; each document is validated once."""
        if query in self._documents:
            self._documents.move_to_end(query)
            return self._documents[query]
        try:
            parsed: DocumentNode | None = parse(query, max_tokens=self.schema.max_tokens)
        except GraphQLError:
            parsed = None
        if parsed is not None and validate_document(self.schema._schema, parsed, self.rules):
            parsed = None
        self._documents[query] = parsed
        while len(self._documents) > DOCUMENTS:
            self._documents.popitem(last=False)
        return parsed

    async def answer(self, query: str | None, variables: dict[str, Any] | None, operation_name: str | None, context: Context) -> str | None:
        """The response's `data` as JSON text, or None when the executor must answer."""
        caller = context.caller
        if caller.refused or caller.unavailable or (caller.principal is None and context.settings.reads_require_token):
            return None
        document = self.document(query) if isinstance(query, str) else None
        if document is None:
            return None
        planner = Planner(self.schema._schema, strawberry_arguments(self.schema), context.settings)
        try:
            planned = await planner.plan(document, variables, operation_name)
        except (Unanswerable, DomainError, GraphQLError, ValueError, TypeError) as reason:
            log.debug("not compiled: %s", reason)
            return None
        plans = [plan for _, plan in planned.fields if not isinstance(plan, str)]
        answers: list[str | None] = []
        if plans:
            try:
                async with context.reads.use() as repositories:
                    answers = await repositories.reader.answer(plans)
            except (Unanswerable, DomainError) as reason:
                log.debug("not compiled: %s", reason)
                return None
        if any(answer is None for answer in answers):
            return None
        given = iter(answers)
        parts = [f"{json.dumps(key)}:{plan if isinstance(plan, str) else next(given)}" for key, plan in planned.fields]
        return CompiledJson("{" + ",".join(parts) + "}")
