"""Inbound EDIFACT: envelope, structure, mapping, business checks, persistence, acknowledgements.

An interchange is processed whole: one defect rejects all of it (nothing is persisted), the error
names the message, segment position and tag, element and reason, and a negative CONTRL (syntax
and structure) or APERAK (business) goes back to the partner when it applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from hub.domain.documents import Document as CanonicalDocument
from hub.domain.documents import PartyRole
from hub.domain.errors import HubError, Problem, ValidationError
from hub.models import Exchange, Partner
from hub.services import business_rules, documents, outbound, profiles, routing
from hub.services.audit import EventSpec, record_events
from hub.services.documents import enqueue_stored
from hub.services.pipeline import Outcome, register
from mappings.edifact import registry
from mappings.edifact.aperak import render_aperak
from mappings.edifact.contrl import contrl_as_message, contrl_envelope, render_contrl
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Interchange, Message
from mappings.edifact.profile import PartnerProfile
from mappings.edifact.serializer import Envelope, render_interchange
from mappings.edifact.structure import validate_message
from mappings.edifact.tokenizer import paused_gc

ACTOR = "system:edifact"
Followup = Callable[[Session, Exchange], list[EventSpec]]


class InterchangeRejected(ValidationError):
    """The interchange is rejected; `followups` queue the acknowledgements in the failure's transaction."""

    code = "INTERCHANGE_REJECTED"

    def __init__(self, message: str, *, problems: list[Problem], followups: list[Followup]) -> None:
        super().__init__(message, problems=problems)
        self.followups = followups


@dataclass
class Checked:
    interchange: Interchange
    profile: PartnerProfile
    warnings: list[Problem] = field(default_factory=list)


@register("edifact")
def translate_edifact(session: Session, exchange: Exchange, partner: Partner) -> Outcome:
    """Translate an EDIFACT interchange into canonical documents, or reject it with named errors."""
    # A big interchange makes millions of small, acyclic objects: collecting them is wasted work.
    with paused_gc():
        return _translate(session, exchange, partner)


def _translate(session: Session, exchange: Exchange, partner: Partner) -> Outcome:
    checked = _check(exchange, partner)
    produced = _map(checked, partner)
    _business_checks(session, exchange, partner, checked, produced)
    rows, events = documents.persist(session, exchange.id, partner.id, "inbound", produced,
                                     actor=ACTOR)
    acks = []
    if _wants_contrl(checked):
        acks = [_contrl(session, exchange, partner, checked, [])]
    interchange = checked.interchange
    recipient = routing.find_partner(session, interchange.recipient, interchange.recipient_qualifier)
    routed = [e for p in produced
              for e in routing.route(session, partner, recipient, p.document, reply_to=exchange.id)]
    record_events(session, events + [a[1] for a in acks] + routed)
    _enqueue(session, rows)
    return Outcome(result={"documents": [documents.summary(r) for r in rows],
                           "acknowledgements": [a[0].id for a in acks],
                           "interchange": checked.interchange.control_ref},
                   warnings=checked.warnings)


def _check(exchange: Exchange, partner: Partner) -> Checked:
    profile = profiles.build(partner.profile)
    interchange = parse_interchange(exchange.raw,
                                    tolerate_count_mismatch=profile.tolerate_count_mismatch)
    problems = list(interchange.problems)
    problems += _sender_problems(interchange, partner)
    for message in interchange.messages:
        problems += validate_message(message)
    checked = Checked(interchange, profile, [p for p in problems if p.severity != "error"])
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        followups = [_contrl_followup(checked, errors)] if _wants_contrl(checked) else []
        raise InterchangeRejected(_summary("interchange rejected", errors), problems=errors,
                                  followups=followups)
    return checked


def _sender_problems(interchange: Interchange, partner: Partner) -> list[Problem]:
    """Nobody posts on another partner's behalf: UNB's sender must be one of the poster's ids."""
    for ident in partner.identifiers:
        if ident.value == interchange.sender and (
                not ident.qualifier or not interchange.sender_qualifier
                or ident.qualifier == interchange.sender_qualifier):
            return []
    sender = f"{interchange.sender}:{interchange.sender_qualifier or ''}".rstrip(":")
    return [Problem(code="UNKNOWN_SENDER", segment_position=1, segment_tag="UNB",
                    element="S002/0004",
                    message=f"sender {sender} is not an identifier of partner {partner.name}")]


def _map(checked: Checked, partner: Partner) -> list[documents.Produced]:
    produced = []
    problems: list[Problem] = []
    decimal = checked.interchange.separators.decimal
    for position, message in enumerate(checked.interchange.messages, 1):
        try:
            mapping = registry.lookup(message.type, message.directory, registry.INBOUND,
                                      partner.name)
            doc = mapping.parse(message, checked.profile, decimal_mark=decimal,
                                warnings=checked.warnings)
        except HubError as exc:
            problems += [_with_ref(p, message) for p in exc.problems] or [
                Problem(code=exc.code, message=exc.message, message_ref=message.reference)]
            continue
        produced.append(documents.Produced(position, message.reference, _message_type(message), doc))
    if problems:
        followups = [_contrl_followup(checked, problems)] if _wants_contrl(checked) else []
        raise InterchangeRejected(_summary("messages could not be mapped", problems),
                                  problems=problems, followups=followups)
    return produced


def _with_ref(problem: Problem, message: Message) -> Problem:
    if problem.message_ref is None:
        problem.message_ref = message.reference
    return problem


def _message_type(message: Message) -> str:
    parts = [message.type, message.version, message.release, message.agency]
    if message.association:
        parts.append(message.association)
    return ":".join(parts)


def _business_checks(session: Session, exchange: Exchange, partner: Partner, checked: Checked,
                     produced: list[documents.Produced]) -> None:
    """Business rejections (duplicate order, unknown item or party) answer with an APERAK."""
    findings = business_rules.check(session, partner, checked.profile,
                                    [(p.message_ref, p.document) for p in produced])
    if not findings:
        return
    problems = [p for _, ps in findings for p in ps]
    followups = ([_aperak_followup(checked, produced[index], ps) for index, ps in findings]
                 if checked.profile.ack_aperak else [])
    raise InterchangeRejected(_summary("business rejection", problems), problems=problems,
                              followups=followups)


def _wants_contrl(checked: Checked) -> bool:
    return checked.interchange.ack_requested or checked.profile.ack_contrl


def _contrl_followup(checked: Checked, problems: list[Problem]) -> Followup:
    def queue(session: Session, exchange: Exchange) -> list[EventSpec]:
        partner = session.get(Partner, exchange.partner_id)
        assert partner is not None
        return [_contrl(session, exchange, partner, checked, problems)[1]]
    return queue


def _contrl(session: Session, exchange: Exchange, partner: Partner, checked: Checked,
            problems: list[Problem]) -> tuple[Exchange, EventSpec]:
    """Render and queue a CONTRL answering the interchange (accepting when `problems` is empty)."""
    interchange = checked.interchange
    number = outbound.next_control_number(session, partner)
    ref = f"C{number:08d}"
    segments = render_contrl(interchange, problems, control_ref="1")
    raw = render_interchange(contrl_envelope(interchange, control_ref=ref),
                             [contrl_as_message(segments)], separators=interchange.separators)
    return outbound.add_outbound(session, partner.id, doc_type="CONTRL", syntax="edifact", raw=raw,
                                 content_type="application/edifact", control_ref=ref,
                                 sender=interchange.recipient, recipient=interchange.sender,
                                 reply_to=exchange.id, actor=ACTOR)


def _aperak_followup(checked: Checked, item: documents.Produced, problems: list[Problem]
                     ) -> Followup:
    def queue(session: Session, exchange: Exchange) -> list[EventSpec]:
        partner = session.get(Partner, exchange.partner_id)
        assert partner is not None
        return [_aperak(session, exchange, partner, checked, item.document, item.message_ref,
                        problems)[1]]
    return queue


def _aperak(session: Session, exchange: Exchange, partner: Partner, checked: Checked,
            doc: CanonicalDocument, message_ref: str | None, problems: list[Problem]
            ) -> tuple[Exchange, EventSpec]:
    interchange = checked.interchange
    number = outbound.next_control_number(session, partner)
    ref = f"A{number:08d}"
    parties = [p for p in doc.parties if p.role in (PartyRole.buyer, PartyRole.supplier)]
    body = render_aperak(doc.number, problems, aperak_number=ref, referenced_message_ref=message_ref,
                         parties=parties, profile=checked.profile)
    message = Message(reference="1", type="APERAK", version="D", release="96A", agency="UN",
                      association=None, segments=body)  # wrapped in UNH/UNT on rendering
    envelope = Envelope(sender=interchange.recipient, sender_qualifier=interchange.recipient_qualifier,
                        recipient=interchange.sender, recipient_qualifier=interchange.sender_qualifier,
                        control_ref=ref, syntax_id=interchange.syntax_id)
    raw = render_interchange(envelope, [message], separators=interchange.separators)
    return outbound.add_outbound(session, partner.id, doc_type="APERAK", syntax="edifact", raw=raw,
                                 content_type="application/edifact", control_ref=ref,
                                 sender=interchange.recipient, recipient=interchange.sender,
                                 reply_to=exchange.id, actor=ACTOR)


def _enqueue(session: Session, stored: list[documents.Stored]) -> None:
    """Queue every new document for the ERPs that take its type, in this same transaction."""
    enqueue_stored(session, stored, actor=ACTOR)


def _summary(what: str, problems: list[Problem]) -> str:
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{what}: {first}{more}"
