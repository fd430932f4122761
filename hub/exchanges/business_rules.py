"""Business rules checked after mapping: what a syntax-valid document can still get wrong.

- duplicate order: an order number the partner already sent (always; test orders do not count);
- unknown item: a line whose buyer item number is not in the partner's cross-reference, when the
  profile sets `extra.require_known_items` (the partner's catalogue is then complete);
- unknown party: a party identified by GLN that is neither a partner of the hub nor the hub
  itself, when the profile sets `extra.require_known_parties`;
- the sender (hub.exchanges.sender_rules): the poster's role, the sending party, the payee account;
- an item number sent as a GTIN (EDIFACT 7143 EN/SRV, UBL schemeID 0160) that is not one (length or GS1
  check digit): a warning (`GTIN_INVALID`) and the document is processed, since partners send their
  internal numbers as item ids; the number is kept as sent.
Each finding names the message and the element, so an APERAK can point at it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.domain.documents import PurchaseOrder
from hub.domain.errors import Problem
from hub.domain.identifiers import Key
from hub.domain.records import DocumentRecord
from hub.exchanges import sender_rules
from hub.partners import service as partners
from hub.partners.models import Partner
from hub.records.models import Document
from mappings.edifact.profile import PartnerProfile

Finding = tuple[int, list[Problem]]  # (index of the document in the batch, its problems)


@dataclass
class Review:
    """The business rules' verdict on a batch: rejected documents (by index) with their problems,
    warnings for the exchange, and flags to store on documents that pass (by position)."""

    rejected: list[Finding] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    flags: dict[int, dict[str, Any]] = field(default_factory=dict)


def check(session: Session, partner: Partner, profile: PartnerProfile,
          docs: list[DocumentRecord], *, hub_edi_id: str,
          seen_orders: set[str] | None = None) -> Review:
    """The verdict on each document; `rejected` is empty when everything passes.

    The rules read the records' facts (numbers, buyer items, GLNs, sender ids), never the whole
    document. `seen_orders` carries the order numbers of earlier batches of the same interchange.
    """
    senders = sender_rules.check(session, partner, docs)
    per_doc: dict[int, list[Problem]] = {i: list(ps) for i, ps in senders.errors.items()}
    for index, problem in _duplicates(session, partner, docs, set() if seen_orders is None
                                      else seen_orders):
        per_doc.setdefault(index, []).append(problem)
    if profile.extra.get("require_known_items"):
        for index, problem in _unknown_items(profile, docs):
            per_doc.setdefault(index, []).append(problem)
    if profile.extra.get("require_known_parties"):
        known = _known_glns(session, {gln for doc in docs for _, gln in doc.glns})
        known.add(hub_edi_id)
        for index, problem in _unknown_parties(docs, known):
            per_doc.setdefault(index, []).append(problem)
    return Review(sorted(per_doc.items()), [*senders.warnings, *_gtin_warnings(docs)],
                  {docs[i].position: flag for i, flag in senders.flags.items()})


# where a UBL document's line holds its item (XPath from the root's line element)
_UBL_ITEM = {"Invoice": "cac:InvoiceLine[{n}]/cac:Item", "CreditNote": "cac:CreditNoteLine[{n}]/cac:Item",
             "Order": "cac:OrderLine[{n}]/cac:LineItem/cac:Item",
             "OrderChange": "cac:OrderLine[{n}]/cac:LineItem/cac:Item",
             "OrderResponse": "cac:OrderLine[{n}]/cac:LineItem/cac:Item",
             "DespatchAdvice": "cac:DespatchLine[{n}]/cac:Item",
             "Catalogue": "cac:CatalogueLine[{n}]/cac:Item",
             "InventoryReport": "cac:InventoryReportLine[{n}]/cac:Item"}


def _gtin_warnings(docs: list[DocumentRecord]) -> Iterable[Problem]:
    for doc in docs:
        root = doc.message_type if doc.message_type and ":" not in doc.message_type else None
        for n, line_number, why in doc.gtin_problems:
            if root:
                item = _UBL_ITEM.get(root, "cac:*Line[{n}]/cac:Item").format(n=n)
                yield Problem(code="GTIN_INVALID", message_ref=doc.message_ref, severity="warning",
                              element=f"/{root}/{item}/cac:StandardItemIdentification/cbc:ID",
                              message=f"line {line_number}: item {why}; kept as sent")
            else:
                yield Problem(code="GTIN_INVALID", message_ref=doc.message_ref, severity="warning",
                              segment_tag="LIN", element="C212/7140",
                              message=f"line {line_number}: item {why} (7143 EN/SRV); kept as sent")


def _duplicates(session: Session, partner: Partner, docs: list[DocumentRecord], seen: set[str]
                ) -> Iterable[tuple[int, Problem]]:
    order = PurchaseOrder.doc_type
    numbers = [d.number for d in docs if d.doc_type == order]
    known = _known_order_numbers(session, partner, numbers)
    for index, doc in enumerate(docs):
        if doc.doc_type != order:
            continue
        if doc.number in known or doc.number in seen:
            yield index, Problem(code="DUPLICATE_ORDER", message_ref=doc.message_ref,
                                 segment_tag="BGM",
                                 element="C106/1004",
                                 message=f"order number {doc.number} was already received")
        seen.add(doc.number)


def _known_order_numbers(session: Session, partner: Partner, numbers: list[str]) -> set[str]:
    if not numbers:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        return set(session.scalars(_KNOWN_ON_POSTGRES, {
            "numbers": numbers, "partner": partner.id, "doc_type": PurchaseOrder.doc_type}))
    found: set[str] = set()
    for start in range(0, len(numbers), 500):  # keep IN lists within every database's limits
        found.update(session.scalars(select(Document.number).where(
            Document.partner_id == partner.id, Document.direction == "inbound",
            Document.doc_type == PurchaseOrder.doc_type, Document.test.is_(False),
            Document.number.in_(numbers[start:start + 500]))))
    return found


# One index lookup per number, whatever the planner believes: while one transaction stores a big
# interchange the documents table has no statistics for its new rows, and for `number IN (...)`
# PostgreSQL then scans the partner's every order through the index, once per batch.
_KNOWN_ON_POSTGRES = text("""
    SELECT found.number FROM unnest(CAST(:numbers AS varchar[])) AS wanted(number)
    CROSS JOIN LATERAL (
        SELECT d.number FROM documents d
        WHERE d.partner_id = :partner AND d.doc_type = :doc_type AND d.number = wanted.number
          AND d.direction = 'inbound' AND NOT d.test
        LIMIT 1) AS found""")


def _unknown_items(profile: PartnerProfile, docs: list[DocumentRecord]
                   ) -> Iterable[tuple[int, Problem]]:
    for index, doc in enumerate(docs):
        for line_number, number in doc.buyer_items:
            if number not in profile.item_xref:
                yield index, Problem(code="UNKNOWN_ITEM", message_ref=doc.message_ref,
                                     segment_tag="PIA", element="C212/7140",
                                     message=f"line {line_number}: buyer item {number} is unknown")


def _known_glns(session: Session, glns: set[str]) -> set[str]:
    keys: dict[Key, str] = {("gln", gln): gln for gln in glns}
    return {key[1] for key, holders in partners.owners(session, keys).items() if holders}


def _unknown_parties(docs: list[DocumentRecord], known: set[str]
                     ) -> Iterable[tuple[int, Problem]]:
    for index, doc in enumerate(docs):
        for role, gln in doc.glns:
            if gln not in known:
                yield index, Problem(code="UNKNOWN_PARTY", message_ref=doc.message_ref,
                                     segment_tag="NAD", element="C082/3039",
                                     message=f"{role} party {gln} is not known to the hub")
