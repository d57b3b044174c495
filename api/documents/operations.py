"""The named operations of `.graphql` files, each made a document of its own to register as a trusted document.

Each operation becomes the operation and the fragments it uses (directly or through other fragments), in the order
the file has them, printed by graphql-core's printer: that printed text is what is stored, and its SHA-256 is the
document's hash. A client that sends the hash, or that text (whose SHA-256 it is), runs that operation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    parse,
    print_ast,
    visit,
)
from graphql.language import Visitor

from api.limits.documents import Documents
from domain.documents import TrustedDocument, document_hash


@dataclass(frozen=True, slots=True)
class Problem:
    """Why an operation of a file cannot be registered."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: object) -> None:
        self.names.add(node.name.value)


def _spread_names(node: Node) -> set[str]:
    spreads = _Spreads()
    visit(node, spreads)
    return spreads.names


def _used_fragments(operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]) -> set[str]:
    used: set[str] = set()
    waiting = list(_spread_names(operation))
    while waiting:
        name = waiting.pop()
        if name in used or name not in fragments:
            continue  # an unknown fragment is left for validation to name
        used.add(name)
        waiting.extend(_spread_names(fragments[name]))
    return used


def operations_of(text: str, source: str) -> tuple[list[TrustedDocument], list[Problem]]:
    """Each named operation of one file as a document of its own, or what keeps the file from being registered."""
    try:
        document = parse(text)
    except GraphQLError as error:
        return [], [Problem(source, error.message)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    found: list[TrustedDocument] = []
    problems: list[Problem] = []
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        problems.append(Problem(source, "holds no operation"))
    for operation in operations:
        if operation.name is None:
            problems.append(Problem(source, f"an anonymous {operation.operation.value} cannot be registered: give it a name"))
            continue
        used = _used_fragments(operation, fragments)
        definitions = [operation, *(d for d in document.definitions if isinstance(d, FragmentDefinitionNode) and d.name.value in used)]
        printed = print_ast(DocumentNode(definitions=tuple(definitions)))
        found.append(TrustedDocument(hash=document_hash(printed), name=operation.name.value, text=printed))
    return found, problems


def checked(documents: Iterable[TrustedDocument], limits: Documents, sources: dict[str, str]) -> list[Problem]:
    """What keeps documents from running here (validation against the schema and its limits), and names given twice to
    different operations; `sources` says where each hash came from."""
    problems: list[Problem] = []
    named: dict[str, str] = {}
    for document in documents:
        source = sources.get(document.hash, "?")
        prepared = limits.prepare(document.text)
        problems.extend(Problem(source, f"{document.name}: {error.message}") for error in prepared.errors)
        other = named.setdefault(document.name, document.hash)
        if other != document.hash:
            problems.append(Problem(source, f"{document.name}: another operation of that name is in {sources.get(other, '?')}"))
    return problems
