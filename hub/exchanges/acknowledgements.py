"""A partner's CONTRL or APERAK recorded on the outbound interchange it answers.

CONTRL (syntax): the outbound exchange is found by the partner who posted it and the interchange
control reference in its UCI. It gets the latest status in `ack_status` (listable, e.g. every
rejected interchange) and each CONTRL's report in `result["acknowledgements"]`.
APERAK (business): found by the references it gives (RFF, DOC), as the control reference of an
interchange the hub sent the partner or as the number of the document one carried; each report goes
in `result["application_acks"]`.
An audit event records each change. An acknowledgement that answers nothing the hub sent is kept
with a warning, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec
from hub.db import utcnow
from hub.domain.acknowledgements import ApplicationAck, InterchangeAck
from hub.domain.errors import Problem
from hub.domain.states import Direction
from hub.partners.models import Partner
from hub.records.models import Exchange
from hub.routing.service import batch_file_for

KEPT_REPORTS = 20  # the latest CONTRL reports kept on one outbound exchange

# (session, the outbound exchange answered, the acknowledgement's own exchange, its report) -> events
AckFollower = Callable[[Session, Exchange, Exchange, InterchangeAck | ApplicationAck], list[EventSpec]]
_followers: list[AckFollower] = []


def on_acknowledged(follower: AckFollower) -> None:
    """Register `follower` (once) for every acknowledgement matched to what the hub sent: a
    capability moves its own records (an invoice becomes acknowledged or rejected), in the same
    transaction as the report."""
    if follower not in _followers:
        _followers.append(follower)


def _follow(session: Session, target: Exchange, ack_exchange: Exchange,
            report: InterchangeAck | ApplicationAck) -> list[EventSpec]:
    return [event for follower in _followers
            for event in follower(session, target, ack_exchange, report)]


@dataclass
class Recorded:
    """What recording one CONTRL did: the summary for the CONTRL's own exchange, its warnings and
    the audit events."""

    summary: dict[str, Any]
    warnings: list[Problem] = field(default_factory=list)
    events: list[EventSpec] = field(default_factory=list)


def record_contrl(session: Session, contrl_exchange: Exchange, partner: Partner,
                  ack: InterchangeAck, *, actor: str) -> Recorded:
    """Record `ack` (read from a CONTRL that `partner` posted) on the interchange it answers."""
    status = ack.overall
    summary: dict[str, Any] = {"control_ref": ack.control_ref, "status": status.value,
                               "exchange_id": None}
    target = session.scalars(
        _latest_sent(partner).where(Exchange.control_ref == ack.control_ref)).first()
    if target is None:
        return _unmatched(summary, ack.contrl_ref, "UCI", "0020",
                          f"the CONTRL answers interchange {ack.control_ref}, but the hub sent no "
                          f"interchange with that reference to partner {partner.name}")
    summary["exchange_id"] = target.id
    warnings = _mismatches(ack, target)
    _keep_report(target, "acknowledgements",
                 {**ack.as_dict(), "contrl_exchange_id": contrl_exchange.id})
    previous = target.ack_status
    target.ack_status = status.value
    event = EventSpec(actor, "exchange.acknowledged", "exchange", target.id, partner.id,
                      {"status": status.value, "previous": previous,
                       "control_ref": ack.control_ref, "contrl_exchange_id": contrl_exchange.id,
                       "rejected_messages": [m.reference for m in ack.messages
                                             if m.status.value != "accepted"]})
    return Recorded(summary, warnings, [event, *_follow(session, target, contrl_exchange, ack)])


def record_aperak(session: Session, aperak_exchange: Exchange, partner: Partner,
                  ack: ApplicationAck, *, actor: str) -> Recorded:
    """Record `ack` (read from an APERAK or a UBL ApplicationResponse that `partner` posted) on
    the outbound exchange whose control reference, document number or message reference it
    gives."""
    numbers = list(dict.fromkeys(number for _, number in ack.references))
    summary: dict[str, Any] = {"number": ack.number, "status": ack.status.value,
                               "exchange_id": None}
    target = _sent_to(session, partner, ack.references)
    if target is None:
        tag, element = (("RFF", "C506/1154") if ack.source == "APERAK" else
                        (None, "/ApplicationResponse/cac:DocumentResponse/cac:DocumentReference"
                               "/cbc:ID"))
        return _unmatched(summary, ack.message_ref, tag, element,
                          f"the {ack.source} refers to {', '.join(numbers) or 'no document'}, but "
                          f"the hub sent partner {partner.name} no interchange or document with "
                          "that reference")
    summary["exchange_id"] = target.id
    _keep_report(target, "application_acks",
                 {**ack.as_dict(), "aperak_exchange_id": aperak_exchange.id})
    event = EventSpec(actor, "exchange.application_acknowledged", "exchange", target.id,
                      partner.id, {"status": ack.status.value, "aperak": ack.number,
                                   "aperak_exchange_id": aperak_exchange.id,
                                   "errors": [e.code for e in ack.errors]})
    return Recorded(summary, [], [event, *_follow(session, target, aperak_exchange, ack)])


def _sent_to(session: Session, partner: Partner, references: list[tuple[str, str]]
             ) -> Exchange | None:
    """The latest outbound exchange to `partner` that one of `references` names: by its control
    reference, by the number of the document it carries or, for a reference to a previous message
    (RFF ACW), by that message's UNH reference."""
    numbers = [number for _, number in references]
    messages = [number for qualifier, number in references if qualifier == "ACW"]
    documents = [number for qualifier, number in references if qualifier != "ACW"]
    sent = _latest_sent(partner)
    carried = Exchange.result["document"]
    for values, column in ((numbers, Exchange.control_ref),
                           (documents, carried["number"].as_string()),
                           (messages, carried["message_ref"].as_string())):
        found = session.scalars(sent.where(column.in_(values))).first() if values else None
        if found is not None:
            return found
    # a document sent as one message of a batch interchange: the batch's file
    batch_file = batch_file_for(session, partner.id, documents, messages)
    return session.scalars(sent.where(Exchange.id == batch_file)).first() if batch_file else None


def _unmatched(summary: dict[str, Any], message_ref: str, tag: str | None, element: str,
               text: str) -> Recorded:
    """An acknowledgement of nothing the hub sent: kept, with a warning saying so."""
    return Recorded(summary, [Problem(code="ACK_UNMATCHED", severity="warning",
                                      message_ref=message_ref, segment_tag=tag, element=element,
                                      message=text)])


def _latest_sent(partner: Partner) -> Select[Exchange]:
    """What the hub sent `partner`, the latest first, one row: narrow it with a `where`. The row
    is locked (PostgreSQL) and read afresh even if the session holds it: two acknowledgements of
    one exchange add their reports in turn."""
    return select(Exchange).where(Exchange.partner_id == partner.id,
                                  Exchange.direction == Direction.outbound.value) \
        .order_by(Exchange.received_at.desc()).limit(1).with_for_update() \
        .execution_options(populate_existing=True)


def _keep_report(target: Exchange, key: str, report: dict[str, Any]) -> None:
    """Append an acknowledgement's report to the outbound exchange's result (the latest kept)."""
    result = dict(target.result or {})
    report = {**report, "recorded_at": utcnow().isoformat()}
    result[key] = [*result.get(key, []), report][-KEPT_REPORTS:]
    target.result = result


def _mismatches(ack: InterchangeAck, target: Exchange) -> list[Problem]:
    """The UCI repeats the answered UNB's sender and recipient: say so when they differ."""
    found = []
    for element, said, sent in (("S002/0004", ack.sender, target.sender),
                                ("S003/0010", ack.recipient, target.recipient)):
        if sent and said and said != sent:
            found.append(Problem(
                code="ACK_PARTY_MISMATCH", severity="warning", message_ref=ack.contrl_ref,
                segment_tag="UCI", element=element,
                message=f"the CONTRL names {said!r} where interchange {ack.control_ref} had "
                        f"{sent!r}"))
    return found
