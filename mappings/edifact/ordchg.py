"""ORDCHG <-> OrderChange and OrderCancellation (Peppol T114/T115 in EDIFACT).

BGM 1001 is 230 (purchase order change request) for both; 1225 tells them apart: 1 (cancellation)
is an OrderCancellation, anything else an OrderChange (4, change, is what the hub writes for an
original change; read back as the canonical `original`, as UBL has no message function). The order
changed is RFF+ON (with its date in DTM 171), the change's sequence number RFF+PP (purchase order
change number), a cancellation's reason FTX+ACD. Each line's action is LIN 1229 (1 added, 2 deleted,
3 changed), kept in the canonical line's status as the UNCL 1229 code, as UBL's LineStatusCode has it.
Document allowances and charges are header ALC groups, the validity end DTM 36 and a delivery period
DTM 64/63 (earliest/latest), so a Peppol OrderChange keeps its totals, validity and delivery period.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from hub.domain.documents import Document, OrderCancellation, OrderChange, Reference
from hub.domain.errors import Problem
from mappings.edifact import common as c
from mappings.edifact.model import Message, Segment
from mappings.edifact.orders import render_totals, totals
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.reader import Reader, read
from mappings.edifact.writer import Writer

MESSAGE_TYPE = "ORDCHG"
DOCUMENT_NAME = "230"  # UNCL 1001: purchase order change request
CANCELLATION = "1"  # UNCL 1225: cancellation
CHANGE = "4"  # UNCL 1225: change
SEQUENCE = "PP"  # UNCL 1153: purchase order change number
REASON = "ACD"  # UNCL 4451: reason
VALIDITY_END = "36"  # UNCL 2005: expiry date
PERIOD = ("64", "63")  # UNCL 2005: delivery date/time, earliest and latest


def parse(message: Message, profile: PartnerProfile = GENERIC, *, decimal_mark: str = ".",
          warnings: list[Problem] | None = None) -> OrderChange | OrderCancellation:
    """An ORDCHG message as an OrderCancellation (1225 = 1) or an OrderChange."""
    r = read(message, profile, decimal_mark, warnings)
    if r.function_code == CANCELLATION:
        return _cancellation(r, message)
    doc = OrderChange(number=r.number or "")
    r.fill(doc)
    _drop_own_name(doc)
    if r.function_code in (None, CHANGE):
        doc.function = "original"
    doc.order_number = r.reference_number("order")
    doc.sequence = _take_reference(doc, SEQUENCE)
    doc.delivery_date = r.first_date(c.DELIVERY_DATES)
    if PERIOD[0] in r.dates and PERIOD[1] in r.dates:
        doc.delivery_date, doc.delivery_end = r.dates[PERIOD[0]], r.dates[PERIOD[1]]
    doc.validity_end = _day(r.first_date((VALIDITY_END,)))
    doc.allowances_charges = r.allowances
    doc.totals = totals(r)
    for line in doc.lines:  # the action as its UNCL 1229 code, as UBL carries it
        line.status = c.LINE_STATUS_OUT.get(line.status or "", line.status)
    return doc


def _cancellation(r: Reader, message: Message) -> OrderCancellation:
    doc = OrderCancellation(number=r.number or "")
    r.fill(doc)
    _drop_own_name(doc)
    doc.lines = []
    doc.order_number = r.reference_number("order")
    reason = _reason(message)
    if reason is not None and reason in doc.notes:
        doc.notes.remove(reason)
    doc.reason = reason
    return doc


def _drop_own_name(doc: Document) -> None:
    """1001 230 only says what the message is: the canonical document has no type code then."""
    if doc.type_code == DOCUMENT_NAME:
        doc.type_code = None


def _reason(message: Message) -> str | None:
    """The text of the first header FTX+ACD."""
    for segment in message.segments:
        if segment.tag == "LIN":
            return None
        if segment.tag == "FTX" and segment.elements[0][:1] == [REASON] and len(segment.elements) > 3:
            return " ".join(x for x in segment.elements[3] if x) or None
    return None


def _take_reference(doc: Document, raw_kind: str) -> str | None:
    """Remove the header reference with this qualifier and return its number (a field of its own)."""
    found = next((ref for ref in doc.references if ref.raw_kind == raw_kind), None)
    if found is None:
        return None
    doc.references.remove(found)
    return found.number


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def render(doc: Document, profile: PartnerProfile = GENERIC) -> list[Segment]:
    """The ORDCHG body for an OrderChange or an OrderCancellation."""
    if isinstance(doc, OrderCancellation):
        return _render_cancellation(doc, profile)
    if not isinstance(doc, OrderChange):
        raise TypeError(f"ORDCHG renders order changes and cancellations, not a {doc.doc_type}")
    w = Writer(profile)
    # 1001 names the message (an order's own type code, e.g. 220, is not an ORDCHG's)
    w.bgm(replace(doc, type_code=None), DOCUMENT_NAME, CHANGE if doc.function == "original" else None)
    w.dtm("137", doc.issued)
    if doc.delivery_end is not None:
        w.dtm(PERIOD[0], doc.delivery_date)
        w.dtm(PERIOD[1], doc.delivery_end)
    else:
        w.dtm("2", doc.delivery_date)
    w.dtm(VALIDITY_END, doc.validity_end)
    w.notes(doc.notes)
    refs = _with_order(doc, doc.order_number)
    if doc.sequence:
        refs.append(Reference("order_change", doc.sequence, raw_kind=SEQUENCE))
    w.references(refs)
    w.parties(doc.parties, accounting_cost=doc.accounting_cost)
    w.currency(doc.currency)
    for alc in doc.allowances_charges:
        w.allowance(alc)
    w.lines(doc.lines, with_status=True)
    w.add("UNS", "S")
    render_totals(w, doc.totals)
    w.add("CNT", ["2", str(len(doc.lines))])
    return w.out


def _render_cancellation(doc: OrderCancellation, profile: PartnerProfile) -> list[Segment]:
    w = Writer(profile)
    w.bgm(replace(doc, type_code=None), DOCUMENT_NAME, CANCELLATION)
    w.dtm("137", doc.issued)
    if doc.reason:
        w.notes([doc.reason], REASON)
    w.notes(doc.notes)
    w.references(_with_order(doc, doc.order_number))
    w.parties(doc.parties)
    w.add("UNS", "S")
    return w.out


def _with_order(doc: Document, order_number: str | None) -> list[Reference]:
    """The document's references, the order changed first (RFF+ON) when only the field names it."""
    refs = list(doc.references)
    if order_number and not any(r.kind == "order" for r in refs):
        refs.insert(0, Reference("order", order_number, raw_kind="ON"))
    return refs
