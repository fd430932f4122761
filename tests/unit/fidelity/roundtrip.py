"""Render a canonical document in one syntax and read it back, as the hub does for partners."""

from __future__ import annotations

from hub.domain.documents import Document
from hub.domain.errors import ValidationError
from hub.rendering import Identity, render
from mappings.edifact import registry
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.outbound_validation import validate_interchange
from mappings.edifact.profile import PartnerProfile
from mappings.ubl import parse_ubl

IDENTITY = Identity("5790000435999", "14", "5798000416604", "14")
PROFILE = PartnerProfile()


def to_edifact(doc: Document, profile: PartnerProfile = PROFILE) -> bytes:
    """The interchange the hub sends; it must pass the hub's own outbound validation."""
    data = render(doc, "edifact", profile=profile, identity=IDENTITY, control_ref="FID1").data
    checked = validate_interchange(data)
    assert not checked.fatal, f"{doc.doc_type} {doc.number}: rendered EDIFACT fails the hub's " \
                              f"validation: {[str(p) for p in checked.fatal]}\n{data.decode()}"
    return data


def from_edifact(data: bytes, profile: PartnerProfile = PROFILE) -> Document:
    interchange = parse_interchange(data)
    errors = [p for p in interchange.problems if p.severity == "error"]
    assert not errors, errors
    (message,) = interchange.messages
    return registry.lookup(message.type, message.directory).parse(
        message, profile, decimal_mark=interchange.separators.decimal)


def to_ubl(doc: Document) -> bytes:
    """The UBL the hub sends (schema-valid; an invoice passes EN 16931, else ValidationError)."""
    try:
        return render(doc, "ubl", profile=PROFILE, identity=IDENTITY, control_ref="FID1").data
    except ValidationError as exc:
        raise AssertionError(f"{doc.doc_type} {doc.number} is not rendered: {exc} "
                             f"{[str(p) for p in exc.problems]}") from exc


def via_edifact(doc: Document) -> Document:
    return from_edifact(to_edifact(doc))


def via_ubl(doc: Document) -> Document:
    return parse_ubl(to_ubl(doc))
