"""The Peppol envelope: a StandardBusinessDocument (SBDH 1.3, Peppol Envelope Specification 2) around UBL.

Read: the header's Sender and Receiver participant identifiers (`iso6523-actorid-upis`, `0088:...`),
DocumentIdentification/InstanceIdentifier, and the DOCUMENTID, PROCESSID and COUNTRY_C1 scopes are
taken, and checked against the payload (the one element after the header): the sender and receiver
must be the EndpointIDs of the document's sending and receiving parties when it gives them, DOCUMENTID
must name the payload's root and CustomizationID, PROCESSID its ProfileID. Written: the same header
around a UBL document the hub sends, its identifiers from the document's endpoints.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from hub.domain.documents import Identifier
from hub.domain.errors import Problem, ValidationError
from mappings.ubl.common import scheme_of, text
from mappings.ubl.mlr import PARTIES, endpoint_at
from mappings.ubl.schema import schema_version

SBDH = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"
ROOT = "StandardBusinessDocument"
AUTHORITY = "iso6523-actorid-upis"
DOCUMENT_SCHEME = "busdox-docid-qns"
PROCESS_SCHEME = "cenbii-procid-ubl"
HEADER = f"/{ROOT}/StandardBusinessDocumentHeader"
# the sending and receiving party of an MLR, besides the documents mlr.PARTIES lists
_ENDPOINTS = {**PARTIES, "ApplicationResponse": ("cac:SenderParty", "cac:ReceiverParty")}


@dataclass(frozen=True)
class Envelope:
    """What an SBDH says about the document it carries."""

    sender: str | None  # participant identifier, "0088:5790000435975"
    receiver: str | None
    instance_id: str | None
    document_id: str | None  # the DOCUMENTID scope
    process_id: str | None  # the PROCESSID scope
    country: str | None  # the COUNTRY_C1 scope


def is_sbdh(root: etree._Element) -> bool:
    """Whether `root` is a StandardBusinessDocument."""
    return etree.QName(root).namespace == SBDH and etree.QName(root).localname == ROOT


def _s(path: str) -> str:
    return "/".join(f"{{{SBDH}}}{step}" for step in path.split("/"))


def unwrap(root: etree._Element) -> tuple[Envelope, etree._Element]:
    """The envelope and the payload element; ValidationError naming what is missing."""
    header = root.find(_s("StandardBusinessDocumentHeader"))
    payloads = [child for child in root if isinstance(child.tag, str)
                and etree.QName(child).localname != "StandardBusinessDocumentHeader"]
    if header is None:
        raise _error("SBDH_NO_HEADER", HEADER,
                     "the StandardBusinessDocument has no StandardBusinessDocumentHeader")
    if len(payloads) != 1:
        raise _error("SBDH_PAYLOAD", f"/{ROOT}/*",
                     f"the StandardBusinessDocument must carry exactly one document, found {len(payloads)}")
    scopes = {(s.findtext(_s("Type")) or "").strip(): (s.findtext(_s("InstanceIdentifier")) or "").strip()
              for s in header.iterfind(_s("BusinessScope/Scope"))}
    envelope = Envelope(
        sender=_clean(header.findtext(_s("Sender/Identifier"))),
        receiver=_clean(header.findtext(_s("Receiver/Identifier"))),
        instance_id=_clean(header.findtext(_s("DocumentIdentification/InstanceIdentifier"))),
        document_id=scopes.get("DOCUMENTID") or None, process_id=scopes.get("PROCESSID") or None,
        country=scopes.get("COUNTRY_C1") or None)
    return envelope, payloads[0]


def _clean(value: str | None) -> str | None:
    return (value or "").strip() or None


def check(envelope: Envelope, payload: etree._Element) -> list[Problem]:
    """Where the envelope and the document it carries disagree (each problem names the header element)."""
    kind = etree.QName(payload).localname
    sending, receiving = _ENDPOINTS.get(kind, ("", ""))
    problems = [p for p in (
        _same_party(envelope.sender, endpoint_at(payload, sending), "Sender", "sending"),
        _same_party(envelope.receiver, endpoint_at(payload, receiving), "Receiver", "receiving"),
    ) if p is not None]
    expected = document_id(payload)
    if envelope.document_id and expected and envelope.document_id != expected:
        problems.append(_problem("SBDH_DOCUMENT_MISMATCH", f"{HEADER}/BusinessScope/Scope",
                                 f"DOCUMENTID {envelope.document_id!r} does not name the document carried "
                                 f"({expected!r})"))
    profile = text(payload, "cbc:ProfileID")
    if envelope.process_id and profile and envelope.process_id != profile:
        problems.append(_problem("SBDH_PROCESS_MISMATCH", f"{HEADER}/BusinessScope/Scope",
                                 f"PROCESSID {envelope.process_id!r} is not the document's ProfileID "
                                 f"{profile!r}"))
    return problems


def _same_party(declared: str | None, endpoint: Identifier | None, element: str, role: str) -> Problem | None:
    if declared is None or endpoint is None or participant(endpoint).lower() == declared.lower():
        return None
    return _problem(f"SBDH_{element.upper()}_MISMATCH", f"{HEADER}/{element}/Identifier",
                    f"the envelope's {element.lower()} {declared} is not the document's {role} party "
                    f"({participant(endpoint)})")


def participant(endpoint: Identifier) -> str:
    """A Peppol participant identifier: `scheme:value`."""
    return f"{endpoint.raw_scheme}:{endpoint.value}"


def identifier_of(participant_id: str) -> Identifier | None:
    """`0088:5790000435975` as an Identifier (ICD as its raw scheme), None when it is not of that form."""
    scheme, _, value = participant_id.partition(":")
    if not (scheme and value):
        return None
    return Identifier(value, scheme_of(scheme), scheme)


def document_id(payload: etree._Element) -> str | None:
    """The Peppol document type identifier of a UBL document: root::name##customization::version."""
    customization = text(payload, "cbc:CustomizationID")
    if not customization:
        return None
    qname = etree.QName(payload)
    return f"{qname.namespace}::{qname.localname}##{customization}::{schema_version(qname.localname)}"


def wrap(payload: etree._Element, *, created: datetime, instance_id: str | None = None) -> bytes:
    """The payload in a StandardBusinessDocument; ValidationError when its parties give no endpoints."""
    kind = etree.QName(payload).localname
    sending, receiving = _ENDPOINTS.get(kind, ("", ""))
    sender, receiver = endpoint_at(payload, sending), endpoint_at(payload, receiving)
    if sender is None or receiver is None:
        missing = "sender" if sender is None else "receiver"
        raise _error("SBDH_NO_ENDPOINT", f"/{kind}", f"no SBDH can be written for {kind}: its {missing} "
                     "party has no Peppol EndpointID (nor an identifier one can be derived from)")
    root = etree.Element(f"{{{SBDH}}}{ROOT}", nsmap={None: SBDH})
    header = etree.SubElement(root, _s("StandardBusinessDocumentHeader"))
    _add(header, "HeaderVersion", "1.0")
    for name, endpoint in (("Sender", sender), ("Receiver", receiver)):
        _add(etree.SubElement(header, _s(name)), "Identifier", participant(endpoint), Authority=AUTHORITY)
    ident = etree.SubElement(header, _s("DocumentIdentification"))
    _add(ident, "Standard", etree.QName(payload).namespace or "")
    _add(ident, "TypeVersion", schema_version(kind))
    _add(ident, "InstanceIdentifier", instance_id or str(uuid.uuid4()))
    _add(ident, "Type", kind)
    _add(ident, "CreationDateAndTime", created.replace(microsecond=0).isoformat())
    scope = etree.SubElement(header, _s("BusinessScope"))
    _scope(scope, "DOCUMENTID", document_id(payload), DOCUMENT_SCHEME)
    _scope(scope, "PROCESSID", text(payload, "cbc:ProfileID"), PROCESS_SCHEME)
    _scope(scope, "COUNTRY_C1", _country(payload, sending), None)
    root.append(payload)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _country(payload: etree._Element, sending: str) -> str | None:
    if not sending:
        return None
    return text(payload, f"{sending}/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode")


def _scope(parent: etree._Element, kind: str, value: str | None, scheme: str | None) -> None:
    if not value:
        return
    scope = etree.SubElement(parent, _s("Scope"))
    _add(scope, "Type", kind)
    _add(scope, "InstanceIdentifier", value)
    if scheme:
        _add(scope, "Identifier", scheme)


def _add(parent: etree._Element, name: str, value: str, **attrs: str) -> None:
    el = etree.SubElement(parent, _s(name), **attrs)
    el.text = value


def _problem(code: str, element: str, message: str) -> Problem:
    return Problem(code=code, message=message, element=element)


def _error(code: str, element: str, message: str) -> ValidationError:
    return ValidationError(message, problems=[_problem(code, element, message)])

