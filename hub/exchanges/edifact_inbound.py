"""Inbound EDIFACT: envelope, structure, mapping, business checks, persistence, acknowledgements.

A syntax or structure defect rejects the whole interchange (nothing is persisted): the error names
the message, segment position and tag, element and reason, and a negative CONTRL goes back when
one is due. A business rejection (duplicate order, unknown item or party, the sender rules)
rejects only its message: the others are persisted, the rejected ones listed in the result and
answered by one APERAK interchange (a message each); when every message is rejected the
interchange fails. A file of several interchanges is cut apart first (hub.exchanges.interchange_files).

A test interchange (UNB 0035 = 1) goes through every check and gets the same acknowledgements,
marked as test; its documents are persisted marked as test (readable through the API, never seen
as duplicates by live orders) but neither routed to a partner nor queued for the ERPs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.config import Settings
from hub.domain.answers import Answer, AnswerKind
from hub.domain.documents import Document as CanonicalDocument
from hub.domain.documents import PartyRole
from hub.domain.errors import HubError, Problem, ProblemLog, ProblemTally, ValidationError
from hub.domain.identifiers import key_of_registered, key_of_unb
from hub.domain.records import DocumentRecord
from hub.exchanges import acknowledgements, business_rules, documents, interchange_files, outbound
from hub.exchanges.pipeline import Outcome, accept
from hub.exchanges.spill import Spill
from hub.ingest.messages import Context, MessageJob, MessageResult
from hub.ingest.pool import map_batches
from hub.partners import domain as profiles
from hub.partners import queries as identities
from hub.partners.models import Partner
from hub.records.models import Exchange
from hub.routing import to_partners as routing
from mappings.edifact import registry
from mappings.edifact.aperak import read_aperak, render_aperak
from mappings.edifact.contrl import contrl_as_message, contrl_envelope, read_contrl, render_contrl
from mappings.edifact.envelope import InterchangeReader, open_interchange
from mappings.edifact.interchanges import interchange_spans
from mappings.edifact.limits import LimitExceeded, Limits
from mappings.edifact.model import Interchange, Message, Separators
from mappings.edifact.profile import PartnerProfile
from mappings.edifact.serializer import Envelope, render_interchange
from mappings.edifact.structure import validate_message
from mappings.edifact.tokenizer import paused_gc

ACTOR = "system:edifact"


class InterchangeRejected(ValidationError):
    """The interchange is rejected; its `answers` (CONTRL, APERAK) are queued with the failure."""

    code = "INTERCHANGE_REJECTED"


class LimitRejected(InterchangeRejected):
    """The interchange passes a shape limit (HUB_MAX_...): rejected without reading the rest."""

    code = "LIMIT_EXCEEDED"


MAX_LISTED = 200  # documents named in the exchange's result (all are in /api/v1/documents)
BATCH = 250  # messages mapped together (one worker's share) and persisted together


@dataclass
class Checked:
    interchange: Interchange
    profile: PartnerProfile
    warnings: list[Problem] = field(default_factory=ProblemLog)


@dataclass
class Run:
    """The state of one streamed translation."""

    session: Session
    exchange: Exchange
    partner: Partner
    checked: Checked
    recipient: Partner | None
    settings: Settings
    errors: ProblemTally = field(default_factory=ProblemTally)
    stored: list[documents.Stored] = field(default_factory=list)
    rejected: list[tuple[DocumentRecord, list[Problem]]] = field(default_factory=list)
    order_numbers: set[str] = field(default_factory=set)
    batch: list[DocumentRecord] = field(default_factory=list)
    spill: Spill | None = None  # on SQLite: what passed, written at the end (see hub.exchanges.spill)
    warned: set[tuple[str, str]] = field(default_factory=set)  # business warnings given already
    limited: bool = False  # a shape limit stopped the reading



def translate_edifact(session: Session, exchange: Exchange, partner: Partner, settings: Settings
                      ) -> Outcome:
    """Translate an EDIFACT interchange into canonical documents, or reject it with named errors;
    a file of several interchanges is cut into one exchange per interchange."""
    if exchange.part_of is None:
        spans = interchange_spans(exchange.raw)
        if len(spans) > 1:
            return interchange_files.split_file(session, exchange, partner, spans)
    if exchange.doc_type in _ACKNOWLEDGEMENTS:
        return _translate_acknowledgement(session, exchange, partner, settings)
    # A big interchange makes millions of small, acyclic objects: collecting them is wasted work.
    with paused_gc():
        return _translate(session, exchange, partner, settings)


def _translate(session: Session, exchange: Exchange, partner: Partner, settings: Settings
               ) -> Outcome:
    """Stream the messages: validate, map and persist them in batches; reject the whole on any
    syntax or structure error, and only the message at fault on a business rejection.

    This process reads the envelope and persists; the messages are split, validated and mapped by
    `hub.ingest` (in worker processes for a big interchange), their results taken in order.
    Rejection raises, and the caller rolls back every batch already written: nothing is half-kept.
    """
    profile = profiles.build(partner.profile)
    limits = _limits(settings)
    reader = open_interchange(exchange.raw, tolerate_count_mismatch=profile.tolerate_count_mismatch,
                              lazy=True, limits=limits)
    interchange = reader.interchange
    checked = Checked(interchange, profile)
    run = Run(session, exchange, partner, checked,
              routing.find_partner(session, interchange.recipient, interchange.recipient_qualifier),
              settings)
    run.errors.add(_sender_problems(interchange, partner))
    run.errors.add(_recipient_problems(session, settings, exchange, interchange,
                                      forwarded=run.recipient is not None))
    context = Context(interchange.separators, dict(partner.profile or {}), partner.name,
                      profile.tolerate_count_mismatch, limits)
    stubs: list[Message] = []
    batches = _job_batches(reader.messages(), stubs, interchange.separators, limits)
    if session.get_bind().dialect.name == "sqlite":
        run.spill = Spill()
    try:
        _read_all(run, context, batches)
        interchange.messages = stubs  # references and types only, for the CONTRL
        _take_envelope(reader, run.errors, checked)
        _reject_if_errors(run)
        _reject_if_all_messages_rejected(run)
        _accept_spilled(run)
    finally:
        if run.spill is not None:
            run.spill.close()
    acks = [_contrl(session, exchange, partner, checked, [])] if _wants_contrl(checked) else []
    if run.rejected and checked.profile.ack_aperak:
        acks.append(_aperak(session, exchange, partner, checked, run.rejected))
    record_events(session, [a[1] for a in acks])
    outcome: dict[str, Any] = {
        "documents": [documents.summary(r) for r in run.stored[:MAX_LISTED]],
        "documents_total": len(run.stored), "acknowledgements": [a[0].id for a in acks],
        "interchange": interchange.control_ref, **_rejected_messages(run)}
    if interchange.test:
        outcome["test"] = True
        checked.warnings.append(Problem(
            code="TEST_INTERCHANGE", severity="warning", segment_position=1, segment_tag="UNB",
            element="0035", message=f"a test interchange (UNB 0035 = 1): its {len(run.stored)} "
                                    "documents are kept as test documents, not routed to a partner "
                                    "or sent to the ERPs"))
    return Outcome(result=outcome, warnings=checked.warnings)


def _limits(s: Settings) -> Limits:
    """The shape limits an interchange is read with, from the settings (HUB_MAX_...)."""
    return Limits(interchange_messages=s.max_interchange_messages,
                  message_segments=s.max_message_segments, message_values=s.max_message_values,
                  segment_elements=s.max_segment_elements,
                  element_components=s.max_element_components, value_chars=s.max_value_chars,
                  empty_segments=s.max_empty_segments)


def _limit_first(exc: LimitExceeded, found: ProblemTally) -> ProblemTally:
    """The errors with the passed limit first: it is why the rest of the file was not read."""
    errors = ProblemTally()
    errors.add(exc.problems)
    errors.add(found.kept)
    errors.total += found.total - len(found.kept)
    return errors


def _take_envelope(reader: InterchangeReader, errors: ProblemTally, checked: Checked) -> None:
    """The interchange's own Problems: errors counted (those not kept too), warnings kept."""
    problems = reader.interchange.problems
    errors.add([p for p in problems if p.severity == "error"])
    errors.total += reader.unlisted_errors()
    checked.warnings.extend(p for p in problems if p.severity != "error")


def _translate_acknowledgement(session: Session, exchange: Exchange, partner: Partner,
                               settings: Settings) -> Outcome:
    """A partner's CONTRLs or APERAKs answering what the hub sent it: checked like any
    interchange, then each recorded on the outbound exchange it answers. A CONTRL is never answered
    with a CONTRL (ISO 9735-4), so a faulty one only fails, with its errors named; an APERAK
    interchange gets a CONTRL when it asks for one, as any other."""
    kind = exchange.doc_type or ""
    read, record = _ACKNOWLEDGEMENTS[kind]
    profile = profiles.build(partner.profile)
    limits = _limits(settings)
    # streamed like any interchange: a huge file is read one message at a time, each split
    # (within the limits) only when its turn comes
    reader = open_interchange(exchange.raw, tolerate_count_mismatch=profile.tolerate_count_mismatch,
                              lazy=True, limits=limits)
    interchange = reader.interchange
    checked = Checked(interchange, profile)
    errors = ProblemTally()
    errors.add(_sender_problems(interchange, partner))
    errors.add(_recipient_problems(session, settings, exchange, interchange, forwarded=False))
    limited = False
    reports: list[Any] = []
    stubs: list[Message] = []
    try:
        for position, lazy in enumerate(reader.messages(), 1):
            stubs.append(_stub(lazy))
            job = MessageJob.of(position, lazy, interchange.separators, limits)
            _check_acknowledgement(kind, job.message(interchange.separators, limits), read,
                                   errors, checked, reports)
    except LimitExceeded as exc:
        errors, limited = _limit_first(exc, errors), True
    interchange.messages = stubs  # references and types only, for a CONTRL back
    _take_envelope(reader, errors, checked)
    answers_with_contrl = kind != "CONTRL" and _wants_contrl(checked)
    _reject_if_any(f"{kind} rejected", errors, checked, answer_with_contrl=answers_with_contrl,
                   limited=limited)
    answered, events = [], []
    for report in reports:
        recorded = record(session, exchange, partner, report, actor=ACTOR)
        answered.append(recorded.summary)
        checked.warnings.extend(recorded.warnings)
        events += recorded.events
    acks = [_contrl(session, exchange, partner, checked, [])] if answers_with_contrl else []
    record_events(session, events + [a[1] for a in acks])
    return Outcome(result={"acknowledges": answered, "interchange": interchange.control_ref,
                           "acknowledgements": [a[0].id for a in acks]},
                   warnings=checked.warnings)


def _check_acknowledgement(kind: str, message: Message, read: Callable[[Message], Any],
                           errors: ProblemTally, checked: Checked, reports: list[Any]) -> None:
    """Validate one CONTRL or APERAK and read its report, while the interchange has no error."""
    if message.type != kind:
        errors.add([Problem(
            code=f"MIXED_{kind}", message_ref=message.reference, segment_tag="UNH",
            segment_position=message.segments[0].position, element="S009/0065",
            message=f"an interchange that starts with a {kind} holds only {kind}s, not "
                    f"{message.type}: send it in an interchange of its own")])
        return
    found = validate_message(message)
    errors.add([p for p in found if p.severity == "error"])
    checked.warnings.extend(p for p in found if p.severity != "error")
    if not errors.total:  # once the interchange is rejected, its reports are of no use
        try:
            reports.append(read(message))
        except HubError as exc:  # e.g. a CONTRL without UCI or with an unknown action code
            errors.add(exc.problems)


_ACKNOWLEDGEMENTS: dict[str, tuple[Callable[[Message], Any], Callable[..., Any]]] = {
    "CONTRL": (read_contrl, acknowledgements.record_contrl),
    "APERAK": (read_aperak, acknowledgements.record_aperak),
}


def _workers(settings: Settings, exchange: Exchange, partner: Partner) -> int:
    """Worker processes for this interchange: none for a small file, or when the partner has a
    mapping of its own (registered in this process, so workers may not know it)."""
    if len(exchange.raw) < settings.ingest_parallel_bytes or registry.has_partner_mappings(
            partner.name):
        return 0
    return int(settings.ingest_worker_count())


def _job_batches(messages: Iterator[Message], stubs: list[Message], separators: Separators,
                 limits: Limits) -> Iterator[list[MessageJob]]:
    """The messages as jobs, BATCH at a time; keeps a stub of each (its UNH fields) for the CONTRL."""
    jobs: list[MessageJob] = []
    for position, message in enumerate(messages, 1):
        stubs.append(_stub(message))
        jobs.append(MessageJob.of(position, message, separators, limits))
        if len(jobs) >= BATCH:
            yield jobs
            jobs = []
    if jobs:
        yield jobs


def _read_all(run: Run, context: Context, batches: Iterator[list[MessageJob]]) -> None:
    try:
        for results in map_batches(context, batches, _workers(run.settings, run.exchange, run.partner)):
            for result in results:
                _take(run, result)
            _flush(run)
    except LimitExceeded as exc:  # what stopped the reading comes first
        run.errors, run.limited = _limit_first(exc, run.errors), True


def _accept_spilled(run: Run) -> None:
    """Write what passed, now that the interchange is accepted (nothing when it was not spilled)."""
    if run.spill is None:
        return
    for records, flags in run.spill.batches():
        run.stored += accept(run.session, run.exchange, run.partner, records, run.recipient,
                             actor=ACTOR, test=run.checked.interchange.test, flags=flags,
                             warnings=run.checked.warnings, settings=run.settings)


def _stub(message: Message) -> Message:
    # one copy of the type and version strings for all the stubs of an interchange
    return Message(message.reference, sys.intern(message.type), sys.intern(message.version),
                   sys.intern(message.release), sys.intern(message.agency),
                   message.association and sys.intern(message.association), [],
                   message.group_reference)


def _take(run: Run, result: MessageResult) -> None:
    """One message's outcome, in message order: its errors, or its record in the current batch.
    Once a message has failed, later ones are only validated (their mapping is not looked at)."""
    run.checked.warnings.extend(result.warnings)
    if result.invalid:
        run.errors.add(result.invalid)
        run.errors.total += result.unlisted
        run.limited = run.limited or result.limited
        return
    if run.errors.total:
        return  # the interchange is rejected already: keep validating, stop mapping
    run.checked.warnings.extend(result.mapping_warnings)
    if result.mapping_errors:
        run.errors.add(result.mapping_errors)
        return
    assert result.record is not None
    run.batch.append(result.record)


def _flush(run: Run) -> None:
    """Business-check the current batch and persist the messages that pass, with their audit
    events, routing and outbox rows; those that fail are kept aside for their APERAKs."""
    batch, run.batch = run.batch, []
    if not batch or run.errors.total:
        return
    review = business_rules.check(run.session, run.partner, run.checked.profile, batch,
                                  seen_orders=run.order_numbers, hub_edi_id=run.settings.hub_edi_id)
    for warning in review.warnings:  # once per interchange, not once per message
        if (warning.code, warning.message) not in run.warned:
            run.warned.add((warning.code, warning.message))
            run.checked.warnings.append(warning)
    refused = dict(review.rejected)
    run.rejected.extend((batch[index], problems) for index, problems in review.rejected)
    passed = [record for index, record in enumerate(batch) if index not in refused]
    if passed and run.spill is not None:
        run.spill.add(passed, review.flags)
    elif passed:
        run.stored += accept(run.session, run.exchange, run.partner, passed, run.recipient,
                             actor=ACTOR, test=run.checked.interchange.test, flags=review.flags,
                             warnings=run.checked.warnings, settings=run.settings)


def _reject_if_errors(run: Run) -> None:
    _reject_if_any("interchange rejected", run.errors, run.checked,
                   answer_with_contrl=_wants_contrl(run.checked), limited=run.limited)


def _reject_if_any(what: str, errors: ProblemTally, checked: Checked, *,
                   answer_with_contrl: bool, limited: bool = False) -> None:
    """Reject the interchange when it has errors, with a negative CONTRL when one is due."""
    if not errors.total:
        return
    answers = [Answer(AnswerKind.contrl, tuple(errors.kept), about=checked)] \
        if answer_with_contrl else []
    rejected = LimitRejected if limited else InterchangeRejected
    raise rejected(_summary(what, errors.kept, errors.total - len(errors.kept)),
                   problems=errors.kept, answers=answers, problems_total=errors.total)


def _reject_if_all_messages_rejected(run: Run) -> None:
    """An interchange none of whose messages passed the business rules fails, each message
    answered by its APERAK (and the interchange by its CONTRL when one is due: its syntax was
    right)."""
    if not run.rejected or run.stored or (run.spill is not None and run.spill.count):
        return
    problems = [p for _, ps in run.rejected for p in ps]
    answers = [Answer(AnswerKind.contrl, about=run.checked)] if _wants_contrl(run.checked) else []
    if run.checked.profile.ack_aperak:
        answers.append(Answer(AnswerKind.aperak, tuple(problems), about=run.checked,
                              rejected=tuple(run.rejected)))
    raise InterchangeRejected(_summary("business rejection", problems), problems=problems,
                              answers=answers)


def _rejected_messages(run: Run) -> dict[str, Any]:
    """The messages the business rules rejected while others were stored: listed with their
    problems in the exchange's result, and one warning saying how many."""
    if not run.rejected:
        return {}
    total = len(run.rejected) + len(run.stored)
    run.checked.warnings.append(Problem(
        code="MESSAGES_REJECTED", severity="warning",
        message=f"{len(run.rejected)} of the interchange's {total} messages were rejected by the "
                "business rules and answered with an APERAK (see result.rejected_messages); the "
                "others were stored"))
    listed = [{"position": record.position, "message_ref": record.message_ref,
               "type": record.doc_type, "number": record.number,
               "problems": [p.as_dict() for p in problems]}
              for record, problems in run.rejected[:MAX_LISTED]]
    return {"rejected_messages": listed, "rejected_messages_total": len(run.rejected)}


def _sender_problems(interchange: Interchange, partner: Partner) -> list[Problem]:
    """Nobody posts on another partner's behalf: UNB's sender must be one of the poster's ids
    (a GLN registered as such also matches a UNB sender with qualifier 14)."""
    unb = key_of_unb(interchange.sender, interchange.sender_qualifier)
    for ident in partner.identifiers:
        if ident.value == interchange.sender and (
                not ident.qualifier or not interchange.sender_qualifier
                or ident.qualifier == interchange.sender_qualifier):
            return []
        if unb[0] and key_of_registered(ident.scheme, ident.value, ident.qualifier) == unb:
            return []
    sender = f"{interchange.sender}:{interchange.sender_qualifier or ''}".rstrip(":")
    return [Problem(code="UNKNOWN_SENDER", segment_position=1, segment_tag="UNB",
                    element="S002/0004",
                    message=f"sender {sender} is not an identifier of partner {partner.name}")]


def _recipient_problems(session: Session, settings: Settings, exchange: Exchange,
                        interchange: Interchange, *, forwarded: bool) -> list[Problem]:
    """The company the interchange is addressed to (UNB recipient) is recorded on the exchange; an
    identity that is neither a company's, the hub's default nor another partner's is refused (once
    companies are configured: hub.partners.identities)."""
    said = identities.UnbIdentity(interchange.recipient, interchange.recipient_qualifier or None)
    company, known = identities.addressed(session, settings, said, [],
                                          forwarded=forwarded)
    exchange.company_id = company.id if company is not None else None
    if known:
        return []
    default = identities.default_identity(settings)
    return [Problem(code="UNKNOWN_RECIPIENT", segment_position=1, segment_tag="UNB", element="S003/0010",
                    message=f"recipient {said} is not an identity of this hub: neither a company's "
                            f"(flask hub company-list) nor its default {default}, nor a partner's")]


def _wants_contrl(checked: Checked) -> bool:
    return checked.interchange.ack_requested or checked.profile.ack_contrl


def queue_contrl(session: Session, exchange: Exchange, partner: Partner, answer: Answer,
                 settings: Settings) -> list[EventSpec]:
    """The CONTRL a rejection answers with (hub.exchanges.answers queues it)."""
    return [_contrl(session, exchange, partner, answer.about, list(answer.problems))[1]]


def _contrl(session: Session, exchange: Exchange, partner: Partner, checked: Checked,
            problems: list[Problem]) -> tuple[Exchange, EventSpec]:
    """Render and queue a CONTRL answering the interchange (accepting when `problems` is empty)."""
    interchange = checked.interchange
    number, message_number = outbound.next_control_numbers(session, partner,
                                                           ("interchange", "message"))
    ref = f"C{number:08d}"
    segments = render_contrl(interchange, problems, control_ref=str(message_number))
    raw = render_interchange(contrl_envelope(interchange, control_ref=ref),
                             [contrl_as_message(segments)], separators=interchange.separators)
    return outbound.add_outbound(session, partner.id, doc_type="CONTRL", syntax="edifact", raw=raw,
                                 content_type="application/edifact", control_ref=ref,
                                 sender=interchange.recipient, recipient=interchange.sender,
                                 reply_to=exchange.id, actor=ACTOR)


def queue_aperak(session: Session, exchange: Exchange, partner: Partner, answer: Answer,
                 settings: Settings) -> list[EventSpec]:
    """The APERAKs a business rejection answers with (hub.exchanges.answers queues them)."""
    return [_aperak(session, exchange, partner, answer.about, list(answer.rejected))[1]]


def _aperak(session: Session, exchange: Exchange, partner: Partner, checked: Checked,
            rejected: list[tuple[DocumentRecord, list[Problem]]]) -> tuple[Exchange, EventSpec]:
    """One interchange answering the partner's: an APERAK message per rejected message, each
    naming its document (RFF+ON), its message (RFF+ACW) and its errors (ERC with FTX)."""
    interchange = checked.interchange
    (number,) = outbound.next_control_numbers(session, partner, ("interchange",))
    (first_message,) = outbound.next_control_numbers(session, partner, ("message",),
                                                     count=len(rejected))
    ref = f"A{number:08d}"
    messages = [_aperak_message(checked, record.document(), record.message_ref, problems,
                                aperak_number=ref if len(rejected) == 1 else f"{ref}-{index}",
                                message_number=first_message + index - 1)
                for index, (record, problems) in enumerate(rejected, 1)]
    envelope = Envelope(sender=interchange.recipient, sender_qualifier=interchange.recipient_qualifier,
                        recipient=interchange.sender, recipient_qualifier=interchange.sender_qualifier,
                        control_ref=ref, syntax_id=interchange.syntax_id, test=interchange.test)
    raw = _render_answer(envelope, messages, interchange)
    return outbound.add_outbound(session, partner.id, doc_type="APERAK", syntax="edifact", raw=raw,
                                 content_type="application/edifact", control_ref=ref,
                                 sender=interchange.recipient, recipient=interchange.sender,
                                 reply_to=exchange.id, actor=ACTOR)


def _aperak_message(checked: Checked, doc: CanonicalDocument, message_ref: str | None,
                    problems: list[Problem], *, aperak_number: str, message_number: int
                    ) -> Message:
    parties = [p for p in doc.parties if p.role in (PartyRole.buyer, PartyRole.supplier)]
    body = render_aperak(doc.number, problems, aperak_number=aperak_number,
                         referenced_message_ref=message_ref, parties=parties,
                         profile=checked.profile)
    return Message(reference=str(message_number), type="APERAK", version="D", release="96A",
                   agency="UN", association=None, segments=body)  # wrapped in UNH/UNT on rendering


def _render_answer(envelope: Envelope, messages: list[Message], interchange: Interchange) -> bytes:
    """An APERAK in the interchange's own character set or, when the partner's text it repeats
    (a party's name) was sent outside the repertoire it declared, in UNOC, else UNOW (UTF-8)."""
    for syntax_id, version in ((envelope.syntax_id, envelope.syntax_version), ("UNOC", "3")):
        try:
            return render_interchange(replace(envelope, syntax_id=syntax_id, syntax_version=version),
                                      messages, separators=interchange.separators)
        except ValidationError:
            continue
    return render_interchange(replace(envelope, syntax_id="UNOW", syntax_version="4"), messages,
                              separators=interchange.separators)


def _summary(what: str, problems: list[Problem], unlisted: int = 0) -> str:
    first = problems[0]
    others = len(problems) - 1 + unlisted
    more = f" (and {others} more)" if others else ""
    return f"{what}: {first}{more}"
