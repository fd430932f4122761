"""Routing's use cases: the rules (add, change, remove, list), the decision for a document, and
carrying it out (partners, ERP connectors, or a `no_route` hold), all in the caller's transaction.

For other capabilities (invoicing's issued invoices, say): `decision_for`, `connectors_for` and
`partners_for` answer where a document of a type, from a source partner (None: the hub itself) to
a recipient partner, goes under the rules in force, the same answer processing uses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_event, record_events
from hub.bulk import update_values
from hub.config import Settings
from hub.domain.errors import IllegalTransition, NotFound, Problem, ValidationError
from hub.domain.records import DocumentRecord, record_of
from hub.erp.models import ErpConnector
from hub.erp.service import handles
from hub.exchanges import documents
from hub.partners.models import Partner
from hub.records.models import Document, Exchange
from hub.routing import batching, to_partners
from hub.routing.domain import (
    NO_ROUTE,
    Decision,
    Facts,
    Rule,
    decide,
    label_of_test_flag,
    parse_test_flag,
)
from hub.routing.identity import (
    identity_for as identity_for,  # under which identity the hub writes to a partner
)
from hub.routing.models import BatchMessage, OutboundBatch, RoutingRule

ACTOR = "system:router"
DOC_TYPES = ("purchase_order", "order_change", "order_cancellation", "order_response",
             "despatch_advice", "invoice", "remittance_advice")
MAX_REF = 2_147_483_647
HUB = "hub"  # as a rule's `to`: documents addressed to the hub itself (its companies), no partner


# --- the rules -----------------------------------------------------------------------------------

def rules(session: Session) -> list[Rule]:
    """The rules in force, in the order they are tried."""
    rows = session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id))
    return [Rule(r.id, r.position, r.source_partner_id, r.recipient_partner_id, r.doc_type, r.test,
                 r.to_hub, tuple(r.connector_ids or ()), tuple(r.partner_ids or ())) for r in rows]


def add_rule(session: Session, data: Mapping[str, Any], *, actor: str) -> RoutingRule:
    """A new rule from `data` (`from`, `to` (a partner, or `hub`), `type`, `test`, `connectors`,
    `partners`, `position`, `note`); ValidationError naming each bad field; audited."""
    values = _rule_values(session, data)
    if values["position"] is None:
        last = session.scalar(select(func.max(RoutingRule.position)))
        values["position"] = (last or 0) + 10
    row = RoutingRule(**values, created_by=actor[:100])
    session.add(row)
    session.flush()
    record_event(session, actor=actor, action="routing.rule_added", object_type="routing_rule",
                 object_id=str(row.id), details=rule_json(session, row))
    return row


def change_rule(session: Session, rule_id: int, data: Mapping[str, Any], *, actor: str
                ) -> RoutingRule:
    """Replace a rule's criteria and targets (the position is kept unless given); audited."""
    row = get_rule(session, rule_id)
    before = rule_json(session, row)
    values = _rule_values(session, data)
    if values["position"] is None:
        values["position"] = row.position
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    record_event(session, actor=actor, action="routing.rule_changed", object_type="routing_rule",
                 object_id=str(row.id), details={"before": before, "after": rule_json(session, row)})
    return row


def remove_rule(session: Session, rule_id: int, *, actor: str) -> None:
    """Delete a rule; audited with what it said."""
    row = get_rule(session, rule_id)
    record_event(session, actor=actor, action="routing.rule_removed", object_type="routing_rule",
                 object_id=str(row.id), details=rule_json(session, row))
    session.delete(row)
    session.flush()


def get_rule(session: Session, rule_id: int) -> RoutingRule:
    row = session.get(RoutingRule, rule_id) if 0 < rule_id <= MAX_REF else None
    if row is None:
        raise NotFound(f"no routing rule {rule_id}")
    return row


def list_rules(session: Session) -> list[RoutingRule]:
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id)))


def rule_json(session: Session, row: RoutingRule) -> dict[str, Any]:
    """The rule as the API and the audit trail show it, with partner and connector names."""
    return {"id": row.id, "position": row.position,
            "from": _partner_ref(session, row.source_partner_id),
            "to": HUB if row.to_hub else _partner_ref(session, row.recipient_partner_id),
            "type": row.doc_type, "test": label_of_test_flag(row.test),
            "connectors": [_connector_ref(session, c) for c in row.connector_ids or ()],
            "partners": [_partner_ref(session, p) for p in row.partner_ids or ()],
            "note": row.note, "created_by": row.created_by,
            "created_at": row.created_at.isoformat() if row.created_at else None}


def _partner_ref(session: Session, partner_id: int | None) -> dict[str, Any] | None:
    if partner_id is None:
        return None
    partner = session.get(Partner, partner_id)
    return {"id": partner_id, "name": partner.name if partner else None}


def _connector_ref(session: Session, connector_id: int) -> dict[str, Any]:
    row = session.get(ErpConnector, connector_id)
    return {"id": connector_id, "name": row.name if row else None}


def _rule_values(session: Session, data: Mapping[str, Any]) -> dict[str, Any]:
    problems: list[Problem] = []

    def field(name: str, parse: Any) -> Any:
        try:
            return parse(data.get(name))
        except (ValidationError, NotFound) as exc:
            problems.append(Problem(code="ROUTE_FIELD", element=name, message=exc.message))
            return None

    values = {
        "source_partner_id": field("from", lambda v: _partner_id(session, v)),
        "recipient_partner_id": field("to", lambda v: None if v == HUB else _partner_id(session, v)),
        "to_hub": data.get("to") == HUB,
        "doc_type": field("type", _doc_type),
        "test": field("test", _test_flag),
        "connector_ids": field("connectors", lambda v: [_connector_id(session, c)
                                                        for c in _names(v, "connectors")]) or [],
        "partner_ids": field("partners", lambda v: [_partner_id(session, p)
                                                    for p in _names(v, "partners")]) or [],
        "position": field("position", _position),
        "note": field("note", _note),
    }
    if not problems and not values["connector_ids"] and not values["partner_ids"]:
        problems.append(Problem(code="ROUTE_FIELD", element="connectors",
                                message="a rule needs a target: at least one connector or partner"))
    if problems:
        raise ValidationError(f"routing rule refused: {problems[0].element}: {problems[0].message}",
                              problems=problems)
    return values


def _names(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 50:
        raise ValidationError(f"{name} must be a list of at most 50 names or ids")
    return value


def _partner_id(session: Session, value: Any) -> int | None:
    if value is None or value == "any":
        return None
    ref = str(value)
    partner = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int) or (isinstance(value, str) and ref.isascii() and ref.isdigit()
                                    and len(ref) <= 10):
        number = int(ref)
        partner = session.get(Partner, number) if 0 < number <= MAX_REF else None
    elif isinstance(value, str) and len(ref) <= 200:
        partner = session.scalars(select(Partner).where(Partner.name == ref)).first()
    if partner is None:
        raise NotFound(f"no partner {ref[:60]!r}")
    return partner.id


def _connector_id(session: Session, value: Any) -> int:
    ref = str(value)
    row = None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_REF:
        row = session.get(ErpConnector, value)
    elif isinstance(value, str) and len(ref) <= 200:
        row = session.scalars(select(ErpConnector).where(ErpConnector.name == ref)).first()
    if row is None:
        raise NotFound(f"no connector {ref[:60]!r}")
    return row.id


def _doc_type(value: Any) -> str | None:
    if value is None or value == "any":
        return None
    if value not in DOC_TYPES:
        raise ValidationError(f"type must be one of {', '.join(DOC_TYPES)} or any, got "
                              f"{str(value)[:40]!r}")
    return str(value)


def _test_flag(value: Any) -> bool | None:
    if value is None:
        return False
    return parse_test_flag(value) if isinstance(value, str) else parse_test_flag(str(value)[:10])


def _position(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1_000_000:
        raise ValidationError("position must be a whole number from 0 to 1000000")
    return value


def _note(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 200):
        raise ValidationError("note must be text of at most 200 characters")
    return value


# --- the decision --------------------------------------------------------------------------------

def decision_for(session: Session, doc_type: str, source_id: int | None,
                 recipient_id: int | None = None, *, test: bool = False) -> Decision:
    """Where a document goes under the rules in force (or today's routing when there are none)."""
    return _Router(session).decide(Facts(source_id, recipient_id, doc_type, test))


def connectors_for(session: Session, doc_type: str, source_id: int | None,
                   recipient_id: int | None = None, *, test: bool = False) -> list[ErpConnector]:
    """The active ERP connectors a document goes to (empty when it would be held)."""
    ids = decision_for(session, doc_type, source_id, recipient_id, test=test).connector_ids
    return [row for row in _Router(session).connectors if row.id in ids]


def partners_for(session: Session, doc_type: str, source_id: int | None,
                 recipient_id: int | None = None, *, test: bool = False) -> list[Partner]:
    """The partners a document is rendered and sent to (empty when it would be held)."""
    ids = decision_for(session, doc_type, source_id, recipient_id, test=test).partner_ids
    return [p for p in (session.get(Partner, i) for i in ids) if p is not None]


class _Router:
    """The rules and active connectors, read once for a batch of documents."""

    def __init__(self, session: Session) -> None:
        self.rules = rules(session)
        self.connectors = list(session.scalars(select(ErpConnector).where(
            ErpConnector.active.is_(True)).order_by(ErpConnector.id)))

    def decide(self, facts: Facts) -> Decision:
        default = Decision(None)
        if not self.rules and not facts.test:  # the hub's routing before rules existed
            others = (facts.recipient_id,) if facts.recipient_id not in (None, facts.source_id) \
                else ()
            default = Decision(None, tuple(c.id for c in self.connectors
                                           if handles(c, facts.doc_type)),
                               tuple(p for p in others if p is not None))
        return decide(self.rules, facts, default)


def batches_of(session: Session, document_id: str) -> list[dict[str, Any]]:
    """The outbound batches that carry (or will carry) a document, with their state and file."""
    rows = session.execute(select(OutboundBatch.id, OutboundBatch.partner_id, OutboundBatch.state,
                                  OutboundBatch.exchange_id, BatchMessage.message_ref)
                           .join(BatchMessage, BatchMessage.batch_id == OutboundBatch.id)
                           .where(BatchMessage.document_id == document_id)
                           .order_by(OutboundBatch.opened_at))
    return [{"batch_id": b, "partner_id": p, "state": st, "exchange_id": x, "message_ref": m,
             "links": {"batch": f"/api/v1/routing/batches/{b}",
                       **({"exchange": f"/api/v1/exchanges/{x}"} if x else {})}}
            for b, p, st, x, m in rows]


def batch_file_for(session: Session, partner_id: int, numbers: Sequence[str],
                   message_refs: Sequence[str]) -> str | None:
    """The latest batch file (exchange id) sent to a partner that carried a document of one of
    `numbers` or a message of one of `message_refs` (what a partner's APERAK names)."""
    if not numbers and not message_refs:
        return None
    named = BatchMessage.number.in_(list(numbers)) | BatchMessage.message_ref.in_(list(message_refs))
    found: str | None = session.scalar(
        select(OutboundBatch.exchange_id).join(BatchMessage, BatchMessage.batch_id == OutboundBatch.id)
        .where(OutboundBatch.partner_id == partner_id, OutboundBatch.exchange_id.is_not(None), named)
        .order_by(OutboundBatch.closed_at.desc()).limit(1))
    return found


# --- carrying it out ------------------------------------------------------------------------------

@dataclass
class _Group:
    records: list[DocumentRecord]
    ids: list[str]


def route_accepted(session: Session, exchange: Exchange, source: Partner,
                   recipient: Partner | None, records: Sequence[DocumentRecord],
                   stored: Sequence[documents.Stored], *, test: bool, actor: str,
                   settings: Settings) -> list[EventSpec]:
    """Decide for each accepted document and carry it out: render it for its partners, queue it for
    its connectors, or hold it `no_route`; each decision is kept on its document (`route`) and the
    exchange's `exchange.routed` event. Returns the audit events to append."""
    router = _Router(session)
    if test and not router.rules:
        return []
    ids = {s.position: s.id for s in stored}
    groups: dict[Decision, _Group] = {}
    decided: dict[str, Decision] = {}  # the facts differ by document type only
    for record in records:
        decision = decided.get(record.doc_type)
        if decision is None:
            decision = decided[record.doc_type] = router.decide(
                Facts(source.id, recipient.id if recipient else None, record.doc_type, test))
        group = groups.setdefault(decision, _Group([], []))
        group.records.append(record)
        group.ids.append(ids[record.position])
    events: list[EventSpec] = []
    for decision, group in groups.items():
        events += _carry_out(session, decision, group, source, recipient, exchange.id, actor,
                             settings)
    summary = [{**d.as_dict(), "documents": len(g.ids)} for d, g in groups.items()
               if d.held or d.connector_ids or d.partner_ids or d.rule_id is not None]
    if summary:
        events.append(EventSpec(actor, "exchange.routed", "exchange", exchange.id, source.id,
                                {"decisions": summary}))
    return events


def _carry_out(session: Session, decision: Decision, group: _Group, source: Partner,
               recipient: Partner | None, reply_to: str, actor: str, settings: Settings
               ) -> list[EventSpec]:
    if decision.held:
        return _hold(session, group.ids, source.id, recipient, actor)
    events: list[EventSpec] = []
    for partner_id in decision.partner_ids:
        target = session.get(Partner, partner_id)
        events += to_partners.route(session, source, target, group.records, reply_to=reply_to,
                                    settings=settings, document_ids=group.ids)
    _set_route(session, group.ids, decision)
    if decision.connector_ids:
        documents.enqueue_ids(session, group.ids, actor=actor,
                              connector_ids=decision.connector_ids)
    return events


def _set_route(session: Session, ids: list[str], decision: Decision) -> None:
    # through the driver: an ORM UPDATE ... IN of a big interchange's ids costs more to compile
    # than to run; the JSON text is what the column's type writes (json.dumps)
    # (flushed first, as the ORM UPDATE did: a released row's own changes go in before it)
    session.flush()
    route = json.dumps(decision.as_dict())
    update_values(session, Document, ("route",), [(document_id, route) for document_id in ids])


def _hold(session: Session, ids: list[str], source_id: int, recipient: Partner | None,
          actor: str) -> list[EventSpec]:
    """Hold documents no rule takes: stored, neither routed nor queued, until released."""
    recipient_id = recipient.id if recipient is not None else None
    for row in session.scalars(select(Document).where(Document.id.in_(ids))):
        hold(row, recipient_id)
    return [EventSpec(actor, "document.held", "document", document_id, source_id,
                      {"reason": NO_ROUTE, "recipient_id": recipient_id}) for document_id in ids]


def hold(row: Document, recipient_id: int | None) -> None:
    """Mark one document held `no_route`, keeping its recipient for its release."""
    row.held = NO_ROUTE
    row.flags = {**(row.flags or {}), "recipient_id": recipient_id}
    row.route = Decision(None, held=True).as_dict()


def route_released(session: Session, row: Document) -> Decision:
    """Route a document an operator released (or hold it `no_route` when no rule takes it). A
    document held `no_route` is refused while still no rule matches it (nothing changes)."""
    recipient_id = (row.flags or {}).get("recipient_id")
    decision = _Router(session).decide(Facts(row.partner_id, recipient_id, row.doc_type, row.test))
    if decision.held and row.held == NO_ROUTE:
        raise IllegalTransition(
            f"document {row.id} still matches no routing rule: add one (flask hub route-add, or "
            "POST /api/v1/routing/rules), then release it again")
    return decision


def carry_out_released(session: Session, row: Document, decision: Decision, *, actor: str,
                       settings: Settings) -> None:
    """What `route_released` decided, for a document just released."""
    source = session.get(Partner, row.partner_id)
    assert source is not None
    recipient_id = (row.flags or {}).get("recipient_id")
    recipient = session.get(Partner, recipient_id) if recipient_id is not None else None
    record = record_of(row.position, row.message_ref, row.message_type, documents.canonical(row))
    record_events(session, _carry_out(session, decision, _Group([record], [row.id]), source,
                                      recipient, row.exchange_id, actor, settings))
    batching.close_waiting(session, settings=settings, actor=actor)
