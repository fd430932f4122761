"""Peppol envelopes (SBDH) on what partners post and on the UBL the hub sends them.

Received: a StandardBusinessDocument is opened and the document it carries is processed as if posted
alone. The header must agree with that document (sender and receiver with its parties' EndpointIDs,
DOCUMENTID and PROCESSID with its root, CustomizationID and ProfileID), and its sender must not be a
participant registered for another partner (`SENDER_MISMATCH`, unless the poster's `posts_for` lists
it). Its InstanceIdentifier is the exchange's control reference (taken when the file was received).
Sent: UBL for a partner whose profile says `sbdh=true` is put in an envelope once it passed validation.
"""

from __future__ import annotations

from lxml import etree
from sqlalchemy.orm import Session

from hub.db import utcnow
from hub.domain.errors import HubError, Problem, ValidationError
from hub.domain.identifiers import key_of, same_party
from hub.partners import domain as profiles
from hub.partners import service as partners
from hub.partners.models import Partner
from hub.xmlsafe import parse_xml
from mappings.ubl import sbdh

_MARKERS = tuple(sbdh.ROOT.encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))


def might_be_enveloped(raw: bytes) -> bool:
    """Cheap: whether the file may be an SBDH (its root name stands near the start)."""
    head = raw[:8192]
    return any(marker in head for marker in _MARKERS)


def open_envelope(session: Session, raw: bytes, poster: Partner) -> bytes:
    """The document an SBDH carries (raw itself when it is none); ValidationError naming each
    disagreement between the header, the document and the poster."""
    if not might_be_enveloped(raw):
        return raw
    root = parse_xml(raw)
    if not sbdh.is_sbdh(root):
        return raw
    envelope, payload = sbdh.unwrap(root)
    problems = sbdh.check(envelope, payload) + _sender_problems(session, envelope, poster)
    if problems:
        raise ValidationError(f"the Peppol envelope does not match: {problems[0].message}", problems=problems)
    return etree.tostring(payload, xml_declaration=True, encoding="UTF-8")


def _sender_problems(session: Session, envelope: sbdh.Envelope, poster: Partner) -> list[Problem]:
    ident = sbdh.identifier_of(envelope.sender or "")
    key = key_of(ident) if ident is not None else None
    if key is None:
        return []
    holders = partners.owners(session, {key: ident.value if ident else ""}).get(key, set())
    allowed = profiles.sender_policy(poster.profile).posts_for
    if not holders or poster.id in holders or any(same_party(a, key) for a in allowed):
        return []
    message = (f"the envelope's sender {envelope.sender} is registered for another partner: "
               "a partner sends only its own documents")
    return [Problem(code="SENDER_MISMATCH", message=message, element=f"{sbdh.HEADER}/Sender/Identifier")]


def close_envelope(partner: Partner, raw: bytes) -> bytes:
    """UBL for `partner` in an SBDH when its profile asks for one (ValidationError when the document
    names no endpoint to address it with)."""
    if not profiles.wants_sbdh(partner.profile):
        return raw
    try:
        root = parse_xml(raw)
    except HubError as exc:
        raise ValidationError("not wrapped: the file is not XML", problems=exc.problems) from exc
    return sbdh.wrap(root, created=utcnow())
