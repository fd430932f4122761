"""Outbound exchanges to trading partners: acknowledgements and rendered documents.

Every file the hub sends goes through `add_outbound`, which validates it first, as strictly as an
inbound file: EDIFACT against its directory's structure and the D.24A code lists, UBL against the UBL
2.1 schema, EN 16931 and the OpenPeppol rules it claims. A file with a fatal finding is never sent:
its exchange is created `invalid` with every finding and the rules that ran, and can be rendered
again after a fix (`reprocess`). The others wait in `pending` until a partner transport sends them;
until then a partner reads them with `GET /api/v1/exchanges?direction=outbound` and downloads the
bytes from the raw link.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.db import utcnow
from hub.domain.acknowledgements import AckStatus
from hub.domain.errors import HubError, Problem, bounded
from hub.domain.states import Direction, ExchangeState
from hub.domain.validation import Validation
from hub.exchanges.lifecycle import new_exchange
from hub.partners.models import Partner
from hub.partners.service import next_control_numbers as next_control_numbers
from hub.records.models import Exchange


def add_outbound(session: Session, partner_id: int, *, doc_type: str, syntax: str, raw: bytes,
                 content_type: str, control_ref: str | None, sender: str | None,
                 recipient: str | None, reply_to: str | None, actor: str,
                 document: dict[str, str] | None = None, contrl_requested: bool = False,
                 validation: Validation | None = None) -> tuple[Exchange, EventSpec]:
    """Validate `raw` and add an outbound exchange: `pending`, or `invalid` with its fatal findings
    when it must not be sent; returns it and the audit event recording it (with the outcome).
    `document` ({"type", "number", "message_ref"}) names the document it carries (and its UNH
    reference), for matching the partner's APERAK; `contrl_requested` (its UNB 0031 asks for a
    CONTRL) makes it `awaiting` one. `validation` is given instead when the file could not even be
    rendered (then `raw` is what is kept to render it again)."""
    checked = validation if validation is not None else validate_outbound(raw, syntax)
    if syntax == "ubl" and content_type != "application/json":  # not a document kept to render again
        raw = enveloped(session, partner_id, raw, checked)
    exchange = new_exchange(session, Direction.outbound, partner_id, raw, state=ExchangeState.pending,
                            flush=False, syntax=syntax, doc_type=doc_type, control_ref=control_ref,
                            sender=sender, recipient=recipient, dedup_ref=None,
                            content_type=content_type,
                            ack_status=AckStatus.awaiting.value if contrl_requested else None,
                            result={**({"reply_to": reply_to} if reply_to else {}),
                                    **({"document": document} if document else {})})
    exchange.state = record_validation(exchange, checked)
    session.flush()
    event = EventSpec(actor, "exchange.created", "exchange", exchange.id, partner_id,
                      {"direction": "outbound", "type": doc_type, "control_ref": control_ref,
                       "reply_to": reply_to, "state": exchange.state,
                       "validation": checked.summary(),
                       **({"rules_broken": _broken(checked)} if checked.fatal else {})})
    return exchange, event


def enveloped(session: Session, partner_id: int, raw: bytes, checked: Validation) -> bytes:
    """UBL that passed its checks, in the Peppol envelope (SBDH) when the partner's profile asks for
    one; a document no envelope can be written for (it names no endpoints) fails `checked`."""
    from hub.exchanges.envelopes import close_envelope  # late: envelopes imports the partner services

    partner = session.get(Partner, partner_id)
    if partner is None or checked.fatal:
        return raw
    try:
        return close_envelope(partner, raw)
    except HubError as exc:
        checked.add("Peppol envelope (SBDH)", exc.problems)
        return raw


def validate_outbound(raw: bytes, syntax: str) -> Validation:
    """Every check an outbound file of `syntax` must pass before it is queued."""
    # imported here: the Saxon-backed UBL layers are only loaded by a hub that sends UBL
    if syntax == "edifact":
        from mappings.edifact.outbound_validation import validate_interchange
        return validate_interchange(raw)
    if syntax == "ubl":
        from mappings.ubl.outbound_validation import validate_document
        return validate_document(raw)
    result = Validation()
    result.add("syntax", [Problem(code="OUTBOUND_SYNTAX", element="syntax",
                                  message=f"the hub cannot check (so never sends) {syntax!r} files")])
    return result


def record_validation(exchange: Exchange, checked: Validation) -> ExchangeState:
    """Put a validation's outcome on a new or re-rendered outbound exchange; returns the state it
    must be in (`pending` when nothing is fatal, else `invalid`), which the caller sets."""
    exchange.result = {**(exchange.result or {}),
                       "validation": {**checked.summary(), "validated_at": utcnow().isoformat()}}
    exchange.warnings = [p.as_dict() for p in bounded(checked.warnings)]
    if checked.fatal:
        exchange.error = {"code": "OUTBOUND_INVALID",
                          "message": f"not sent: {len(checked.fatal)} fatal finding(s) by "
                                     f"{', '.join(checked.rules)}; first: {checked.fatal[0]}",
                          "problems": checked.fatal_dicts(), "problems_total": len(checked.fatal)}
        return ExchangeState.invalid
    exchange.error = None
    return ExchangeState.pending


def _broken(checked: Validation) -> list[str]:
    return sorted({p.code for p in checked.fatal})[:50]
