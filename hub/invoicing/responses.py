"""What a buyer's acknowledgement says about an issued invoice, and the state it moves it to. Pure Python.

A CONTRL speaks of syntax: accepted -> acknowledged, rejected (the interchange, or its message) ->
rejected, a receipt only changes nothing. An APERAK speaks of the business: rejected when it says RE
or lists errors, else acknowledged. A Peppol Invoice Response (BIS Invoice Response 3, a UBL
ApplicationResponse) gives one of seven codes: RE rejects; AB, IP, UQ, CA and AP acknowledge (the
buyer has the invoice and says where it stands); PD says the buyer paid, which is recorded but does not
make the invoice paid: only the money received does (reconciliation, `service.record_payment`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.domain.acknowledgements import AckStatus, ApplicationAck, InterchangeAck
from hub.invoicing.domain import InvoiceState

# UNCL 4343 as the Peppol Invoice Response uses it, and the codes an APERAK's BGM gives
RESPONSE_MEANINGS = {
    "AB": "received", "IP": "in process", "UQ": "under query", "CA": "conditionally accepted",
    "RE": "rejected", "AP": "accepted", "PD": "paid", "27": "not accepted", "29": "accepted",
}
REJECTING = ("RE", "27")


@dataclass(frozen=True)
class BuyerResponse:
    """One acknowledgement as the invoice's history keeps it: who said what, why, and the state it asks
    for (None: recorded only)."""

    source: str  # CONTRL, APERAK or InvoiceResponse
    response: str  # the code as sent (4343, or the CONTRL's 0083 action)
    meaning: str
    target: InvoiceState | None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    buyer_reports_paid: bool = False

    def details(self) -> dict[str, Any]:
        """The history entry's details (JSON)."""
        out: dict[str, Any] = {"by": self.source, "response": self.response, "meaning": self.meaning,
                               "reasons": self.reasons}
        if self.buyer_reports_paid:
            out["buyer_reports_paid"] = True
        return out


def read_response(report: InterchangeAck | ApplicationAck) -> BuyerResponse:
    """What `report` (a CONTRL, an APERAK or an ApplicationResponse) says about the invoice it answers."""
    if isinstance(report, InterchangeAck):
        return _contrl(report)
    return _application(report)


def _contrl(ack: InterchangeAck) -> BuyerResponse:
    status = ack.overall
    reasons: list[dict[str, Any]] = [
        {"code": e.code, "text": e.description,
         **({"segment": e.service_segment} if e.service_segment else {})} for e in ack.errors]
    for message in ack.messages:
        reasons += [{"code": e.code, "text": e.description, "message": message.reference,
                     **({"segment_position": e.segment_position} if e.segment_position else {}),
                     **({"element_position": e.element_position} if e.element_position else {})}
                    for e in message.errors]
    target = {AckStatus.accepted: InvoiceState.acknowledged, AckStatus.rejected: InvoiceState.rejected,
              AckStatus.partly_rejected: InvoiceState.rejected}.get(status)
    meaning = {AckStatus.partly_rejected: "interchange accepted, its message rejected"}.get(
        status, f"syntax {status.value}")
    return BuyerResponse("CONTRL", ack.action, meaning, target, reasons)


def _application(ack: ApplicationAck) -> BuyerResponse:
    source = "InvoiceResponse" if ack.source == "ApplicationResponse" else ack.source
    code = ack.response.strip()
    reasons = [e.as_dict() for e in ack.errors]
    if code in REJECTING or (ack.status is AckStatus.rejected and code not in RESPONSE_MEANINGS):
        return BuyerResponse(source, code, RESPONSE_MEANINGS.get(code, "rejected"), InvoiceState.rejected,
                             reasons)
    meaning = RESPONSE_MEANINGS.get(code) or "accepted"
    return BuyerResponse(source, code, meaning, InvoiceState.acknowledged, reasons,
                         buyer_reports_paid=code == "PD")
