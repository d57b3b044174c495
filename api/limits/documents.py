"""Every document is parsed once, under one token limit, and validated once, with every rule.

The request gate (for the cost and whether a request is only queries), the response cache, the
compiled read path and the executor all ask this one cache, so a document costs one parse and one
validation however many of them look at it, and no one parses it without the limit.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from api.limits.cost import MAX_REPEATS, CostLimitExceeded, QueryCost, repeated_fields, unsafe_variable

DOCUMENTS = 512
DOCUMENT_BYTES = 2 * 1024 * 1024
"""The most text the cache keeps in all (a parsed document takes some 70 times its text: about 140 MB at most);
a long document is parsed again rather than kept."""
TOKEN = re.compile(
    r'#[^\n\r]*|"""(?:\\"""|[^"]|"(?!""))*"""|"(?:\\.|[^"\\\n\r])*"|-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?'
    r"|[_A-Za-z][_0-9A-Za-z]*|\.\.\.|[!$&():=@\[\]{|}]"
)
"""GraphQL's tokens, each matched as one (a comment is matched, not counted): counting them never counts more than the parser."""


def over_token_limit(query: str, max_tokens: int) -> bool:
    """Whether a document surely has more than `max_tokens` tokens, found by a scan of its first tokens only.

    The parser would find it too, but at some ten microseconds a token; this costs a regular expression's
    match a token, so a megabyte of tokens is refused in about a millisecond."""
    if len(query) <= 2 * max_tokens:
        return False  # a document shorter than two characters a token is left to the parser
    counted = 0
    for match in TOKEN.finditer(query):
        if match.group().startswith("#"):
            continue
        counted += 1
        if counted > max_tokens:
            return True
    return False


@dataclass(frozen=True, slots=True)
class Prepared:
    """A document as parsed and validated: `errors` is empty when it may run."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]

    @property
    def only_queries(self) -> bool:
        """Whether every operation in a valid document is a query (and so may be cached)."""
        if self.document is None or self.errors:
            return False
        operations = [d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)]
        return bool(operations) and all(d.operation is OperationType.QUERY for d in operations)


class Documents:
    """The parse-and-validate cache of one schema, bounded in entries; documents beyond the token limit are refused while parsing."""

    def __init__(self, schema: GraphQLSchema, rules: tuple[type[ASTValidationRule], ...], *, max_tokens: int, page_default: int) -> None:
        self.schema = schema
        self.rules = (*specified_rules, *rules, MaybeNullValidationRule, OneOfInputValidationRule)
        self.max_tokens = max_tokens
        self.cost = QueryCost(schema, page_default=page_default)
        self._known: OrderedDict[str, Prepared] = OrderedDict()
        self._bytes = 0

    def prepare(self, query: str) -> Prepared:
        found = self._known.get(query)
        if found is not None:
            self._known.move_to_end(query)
            return found
        if over_token_limit(query, self.max_tokens):
            error = GraphQLError(f"Syntax Error: Document contains more than {self.max_tokens} tokens. Parsing aborted.")
            return Prepared(None, (error,))  # not kept: refusing it again costs less than the memory it would take
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as error:
            found = Prepared(None, (error,))
        else:
            repeats = repeated_fields(document)
            if repeats > MAX_REPEATS:
                message = f"{repeats} fields repeat a name already selected beside them; at most {MAX_REPEATS} may"
                found = Prepared(None, (GraphQLError(message, extensions={"code": "GRAPHQL_VALIDATION_FAILED"}),))
            else:
                found = Prepared(document, tuple(validate(self.schema, document, self.rules)))
        self._known[query] = found
        self._bytes += len(query)
        while len(self._known) > DOCUMENTS or self._bytes > DOCUMENT_BYTES:
            dropped, _ = self._known.popitem(last=False)
            self._bytes -= len(dropped)
        return found

    def refusal(
        self, query: str, operation_name: str | None, variables: dict[str, Any] | None, max_cost: int
    ) -> tuple[int, GraphQLError | None]:
        """The cost of a valid document's operation, and why it is refused before it runs (None when it is not)."""
        prepared = self.prepare(query)
        if prepared.document is None or prepared.errors:
            return 0, None
        operation = next(
            (
                d
                for d in prepared.document.definitions
                if isinstance(d, OperationDefinitionNode) and (operation_name is None or (d.name and d.name.value == operation_name))
            ),
            None,
        )
        mutation = operation is not None and operation.operation is OperationType.MUTATION
        bad = None if mutation else unsafe_variable(variables or {})
        if bad is not None:
            name, reason = bad
            error = GraphQLError(f"Variable '${name}' {reason}.", extensions={"code": "BAD_USER_INPUT", "variable": name})
            return 0, error
        cost = self.cost(prepared.document, operation_name, variables)
        if max_cost and cost > max_cost:
            return cost, CostLimitExceeded(cost, max_cost).error()
        return cost, None


class PreparedDocuments(SchemaExtension):
    """Hands the executor the cached parse and validation instead of its own, and reports the cost in `extensions`."""

    def __init__(self, documents: Documents) -> None:
        self.documents = documents

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            prepared = self.documents.prepare(context.query)
            if prepared.document is None:
                raise prepared.errors[0]
            context.graphql_document = prepared.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = list(self.documents.prepare(context.query).errors)
        yield

    def get_results(self) -> dict[str, Any]:
        cost = getattr(self.execution_context.context, "cost", None)
        return {} if cost is None else {"cost": cost}
