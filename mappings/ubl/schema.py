"""UBL 2.1 schema validation from the packaged, annotation-stripped OASIS schemas (never the network)."""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from hub.domain.errors import Problem, ValidationError

XSD_DIR = (Path(__file__).parent / "xsd").resolve()
SCHEMA_DOCS = (
    "Order", "OrderResponse", "OrderResponseSimple", "DespatchAdvice", "Invoice", "CreditNote",
    "ApplicationResponse", "OrderChange", "OrderCancellation", "Catalogue", "InventoryReport",
    "RemittanceAdvice",
)
# The Peppol advanced ordering documents (T114 OrderChange, T115 OrderCancellation) are UBL 2.3.
UBL23_DOCS = ("OrderChange", "OrderCancellation")
_EMPTY_SCHEMA = '<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"/>'
_lock = threading.Lock()


class _LocalOnly(etree.Resolver):
    """Serve schema imports only from the packaged folder; anything else resolves to an empty schema."""

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        if url and "://" not in url.removeprefix("file://"):
            path = Path(url.removeprefix("file://")).resolve()
            if path.is_relative_to(XSD_DIR) and path.is_file():
                return self.resolve_filename(str(path), context)
        return self.resolve_string(_EMPTY_SCHEMA, context)


def _schema_parser() -> etree.XMLParser:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    parser.resolvers.add(_LocalOnly())
    return parser


@cache
def _compiled(doc_name: str) -> etree.XMLSchema:
    path = schema_path(doc_name)
    return etree.XMLSchema(etree.parse(str(path), _schema_parser()))


def schema_version(doc_name: str) -> str:
    """The UBL version the hub validates a main document against: 2.3 for T114/T115, else 2.1."""
    return "2.3" if doc_name in UBL23_DOCS else "2.1"


def schema_path(doc_name: str) -> Path:
    """The packaged main-document schema of doc_name, in its version."""
    version = schema_version(doc_name)
    folder = XSD_DIR / "2.3" if version == "2.3" else XSD_DIR
    return folder / "maindoc" / f"UBL-{doc_name}-{version}.xsd"


def schema_for(doc_name: str) -> etree.XMLSchema:
    """The compiled (and cached) UBL 2.1 schema of a main document, e.g. "Invoice"."""
    if doc_name not in SCHEMA_DOCS:
        raise ValueError(f"no packaged UBL 2.1 schema for {doc_name}")
    with _lock:  # compile once even when two threads ask first
        return _compiled(doc_name)


def schema_problems(root: etree._Element, doc_name: str, *, ref: str | None = None) -> list[Problem]:
    """Problems found validating root against the UBL 2.1 schema of doc_name (empty when valid)."""
    schema = schema_for(doc_name)
    # XMLSchema objects are not safe to share across threads while validating.
    with _lock:
        valid = schema.validate(root)
        errors = list(schema.error_log) if not valid else []
    return [
        Problem(code="XML_SCHEMA",
                message=f"{doc_name} is not valid UBL {schema_version(doc_name)}: {e.message}",
                message_ref=ref, segment_position=e.line, element=e.path or None)
        for e in errors[:50]
    ]


def validate_schema(root: etree._Element, doc_name: str, *, ref: str | None = None) -> None:
    """Raise ValidationError (XML_SCHEMA problems with line and XPath) when root is not valid."""
    problems = schema_problems(root, doc_name, ref=ref)
    if problems:
        name = f"{doc_name} {ref}" if ref else doc_name
        raise ValidationError(f"{name} is not valid against the UBL {schema_version(doc_name)} schema",
                              problems=problems)
