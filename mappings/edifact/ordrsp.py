"""ORDRSP <-> OrderResponse: BGM 4343 (or 1225) gives the response, LIN 1229 each line's action."""

from __future__ import annotations

from dataclasses import replace

from hub.domain.documents import OrderResponse, Reference
from hub.domain.errors import Problem
from mappings import codelists
from mappings.edifact import common as c
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.reader import read
from mappings.edifact.writer import Writer

MESSAGE_TYPE = "ORDRSP"
# Peppol Advanced Ordering's response (T116): kept as FTX+DOC (the specification identifier, 55 characters:
# 4440 holds it in every directory) so that it goes on as a T116, not a T76, when rendered as UBL again
PERIOD = ("64", "63")  # UNCL 2005: delivery date/time, earliest and latest
ADVANCED_RESPONSE = "urn:fdc:peppol.eu:poacc:trns:order_response_advanced:3"
RESPONSES_4343 = {"AP": "accepted", "AC": "accepted_with_changes", "CA": "accepted_with_changes",
                  "AI": "accepted_with_changes", "RE": "rejected"}
RESPONSES_1225 = {"29": "accepted", "4": "accepted_with_changes", "27": "rejected"}
RESPONSES_OUT = {"accepted": ("29", "AP"), "accepted_with_changes": ("4", "AC"), "rejected": ("27", "RE")}


def parse(message: Message, profile: PartnerProfile = GENERIC, *, decimal_mark: str = ".",
          warnings: list[Problem] | None = None) -> OrderResponse:
    """An ORDRSP message as an OrderResponse."""
    r = read(message, profile, decimal_mark, warnings)
    doc = OrderResponse(number=r.number or "")
    r.fill(doc)
    fn = r.function_code or "9"
    response = RESPONSES_4343.get(r.response_code or "") or RESPONSES_1225.get(fn) or "accepted"
    doc.response = response
    if fn in RESPONSES_1225:  # 1225 carried the response, not a document function
        doc.function = "original"
    doc.order_number = r.reference_number("order")
    doc.delivery_date = r.first_date(c.DELIVERY_DATES)
    if PERIOD[0] in r.dates and PERIOD[1] in r.dates:  # a promised period (Peppol T76/T116)
        doc.delivery_date, doc.delivery_end = r.dates[PERIOD[0]], r.dates[PERIOD[1]]
    return doc


def render(doc: OrderResponse, profile: PartnerProfile = GENERIC) -> list[Segment]:
    """The ORDRSP body for an OrderResponse."""
    w = Writer(profile)
    fn_code, response_code = RESPONSES_OUT.get(doc.response, ("29", doc.response))
    if doc.type_code and codelists.load("edifact_4343").is_code(doc.type_code):
        doc = replace(doc, type_code=None)  # UBL's OrderResponseCode is a response, not a 1001 name
    w.bgm(doc, "231", fn_code if doc.function == "original" else None, response_code)
    w.dtm("137", doc.issued)
    if doc.delivery_end is not None:
        w.dtm(PERIOD[0], doc.delivery_date)
        w.dtm(PERIOD[1], doc.delivery_end)
    else:
        w.dtm("2", doc.delivery_date)
    customization = doc.profile.get("customization_id", "")
    if customization.startswith(ADVANCED_RESPONSE):  # a Peppol T116 answered in EDIFACT stays one in UBL
        w.add("FTX", "DOC", "", "", customization)
    w.notes(doc.notes)
    refs = list(doc.references)
    if doc.order_number and not any(r.kind == "order" for r in refs):
        refs.insert(0, _order_ref(doc.order_number))
    w.references(refs)
    w.parties(doc.parties)
    w.currency(doc.currency)
    w.lines(doc.lines, with_status=True)
    w.add("UNS", "S")
    w.add("CNT", ["2", str(len(doc.lines))])
    return w.out


def _order_ref(number: str) -> Reference:
    return Reference("order", number, raw_kind="ON")
