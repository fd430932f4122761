"""Reconciliation's use cases, each one transaction opened by the edge's session factory: a matching
run (scheduled once per slot, or by hand, or a dry run), and a person's decisions on the exceptions
queue: confirm a suggestion, split a payment, match by hand, reject, write off, undo."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.db import insert_unless_present, larger_cache, new_id, transaction, utcnow
from hub.domain.errors import HubError, NotFound, Problem, ValidationError
from hub.invoicing import service as invoicing
from hub.jobruns.service import claim_slot, finish, slot_key
from hub.partners.models import Partner
from hub.reconciliation import booking, credit, matching, queries
from hub.reconciliation.domain import Allocation, Candidate, Decision, normalise
from hub.reconciliation.match_models import PartnerCredit, PayerMapping, PaymentMatch, WriteOff
from hub.reconciliation.models import StatementEntry
from hub.reconciliation.settings import MatchingSettings

SessionFactory = Callable[[], Session]
JOB = "reconcile"
ACTOR = "system:reconciliation"
PENDING = matching.PENDING
# SQLite's page cache during a run: 100,000 payments against 100,000 invoices touch ~150 MB of pages;
# 256 MB instead of 8 MB took 3 s of CPU off the run (writing matches, entries, invoices, outbox)
RUN_CACHE_MIB = 256


class MatchRefused(HubError):
    """The payment or match is not in a state that allows it (409)."""

    code = "MATCH_REFUSED"
    http_status = 409


def reconcile(sessions: SessionFactory, settings: MatchingSettings, *, at: datetime, scheduled: bool,
              dry_run: bool = False, actor: str = ACTOR) -> dict[str, Any]:
    """One matching run over every pending payment; a scheduled one runs once per slot. A dry run
    says what it would do and writes nothing."""
    with sessions() as session, gc_paused():
        if dry_run:
            decisions, _ = decide_pending(session)
            session.rollback()
            return {"dry_run": True, **summary(decisions),
                    "decisions": [decision_json(d) for d in decisions[:1000]]}
        slot = slot_key(at, timedelta(minutes=settings.every_minutes)) if scheduled else f"manual:{new_id()}"
        with transaction(session), larger_cache(session, RUN_CACHE_MIB):
            run = claim_slot(session, JOB, slot, trigger="schedule" if scheduled else "manual")
            if run is None:
                return {"skipped": True, "reason": f"the run of slot {slot} has already been made"}
            matching.lock(session)
            result = run_matching(session, actor=actor, run_id=run.id)
            finish(run, **result)
        return {"run_id": run.id, "slot": slot, **result}


@contextmanager
def gc_paused() -> Iterator[None]:
    """The garbage collector off while a run builds its hundreds of thousands of small objects (it
    would scan them over and over: a third of the run's time); back as it was afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def decide_pending(session: Session) -> tuple[list[Decision], Any]:
    """Every pending payment decided against the open invoices (reads only)."""
    config = matching.load_config(session)
    payments = matching.load_payments(session, matching.load_payers(session))
    index = matching.load_index(session)
    return matching.match_all(payments, index, matching.load_remittances(session), config), (config, index)


def run_matching(session: Session, *, actor: str, run_id: int | None) -> dict[str, Any]:
    """Decide, then write: matches in bulk, suggestions in their place, statuses that changed, audited."""
    decisions, (config, index) = decide_pending(session)
    bookings = [booking.Booking(d.payment.id, d.payment.key, d.payment.currency, d.match,
                                index.by_id[d.match.allocations[0].invoice_id].partner_id)
                for d in decisions if d.match is not None]
    now = utcnow()
    # the rows passed straight on: freed once written, their memory reused by what follows
    booking.replace_suggestions(session, [
        booking.match_row(d.payment.id, d.payment.currency, c, state="suggested", actor=actor, rank=n,
                          automatic=False, run_id=run_id, now=now)
        for d in decisions if d.match is None for n, c in enumerate(d.suggestions, 1)])
    booking.book_matches(session, bookings, actor=actor, automatic=True, config=config, run_id=run_id)
    changed = [(d, "suggested" if d.suggestions else "unmatched") for d in decisions if d.match is None]
    changed = [(d, s) for d, s in changed if s != d.payment.status]
    booking.set_entries(session, [(d.payment.id, s, d.payment.amount) for d, s in changed])
    record_events(session, [EventSpec(actor, f"payment.{s}", "statement_entry", str(d.payment.id), None, {
        "entry_key": d.payment.key, "suggestions": [_brief(c) for c in d.suggestions],
        **({"note": d.note} if d.note else {})}) for d, s in changed])
    applied = credit.book(session, credit.exact(credit.open_credits(session), index), actor=actor,
                          automatic=True, run_id=run_id) if config.enabled(credit.RULE) else []
    return {**summary(decisions), "credits_applied": len(applied)}


def summary(decisions: Sequence[Decision]) -> dict[str, Any]:
    matched = sum(1 for d in decisions if d.match is not None)
    suggested = sum(1 for d in decisions if d.match is None and d.suggestions)
    return {"payments": len(decisions), "matched": matched, "suggested": suggested,
            "unmatched": len(decisions) - matched - suggested}


def _brief(c: Candidate) -> dict[str, Any]:
    return {"rule": c.rule, "score": c.score, "signals": sorted(c.signals),
            "invoices": [[a.number, str(a.amount)] for a in c.allocations]}


def decision_json(d: Decision) -> dict[str, Any]:
    """A dry run's decision on one payment."""
    return {"entry": d.payment.key, "entry_id": d.payment.id,
            "match": {**_brief(d.match), "reasons": d.match.reasons} if d.match else None,
            "suggestions": [{**_brief(c), "reasons": c.reasons} for c in d.suggestions], "note": d.note}


# --- a person's decisions ------------------------------------------------------------------------

def _pending_entry(session: Session, entry_id: int) -> StatementEntry:
    entry = session.get(StatementEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFound(f"no payment {entry_id}")
    if entry.status not in PENDING:
        raise MatchRefused(f"payment {entry_id} is {entry.status}: only an unmatched or suggested payment "
                           "can be matched, rejected or written off (undo its match first)")
    return entry


def _dismiss_suggestions(session: Session, entry_id: int, keep: int | None = None) -> None:
    session.execute(update(PaymentMatch).where(
        PaymentMatch.entry_id == entry_id, PaymentMatch.state == "suggested",
        PaymentMatch.id != (keep or 0)).values(state="dismissed"))


def confirm(sessions: SessionFactory, match_id: int, *, actor: str) -> dict[str, Any]:
    """A suggestion becomes the match, as it was proposed, when its invoices still have the amounts open."""
    with sessions() as session, transaction(session):
        matching.lock(session)
        suggestion = session.get(PaymentMatch, match_id)
        if suggestion is None:
            raise NotFound(f"no match {match_id}")
        if suggestion.state != "suggested":
            raise MatchRefused(f"match {match_id} is {suggestion.state}: only a suggestion is confirmed")
        entry = _pending_entry(session, suggestion.entry_id)
        lines = [(int(a["invoice_id"]), Decimal(a["amount"]), Decimal(a["write_off"]))
                 for a in suggestion.allocations]
        candidate, partner = _manual_candidate(session, entry, lines, rule=suggestion.rule, actor=actor)
        candidate.signals, candidate.score = set(suggestion.signals), suggestion.score
        candidate.reasons, candidate.figures = list(suggestion.reasons), dict(suggestion.figures)
        candidate.credit = suggestion.credit
        _book_manual(session, entry, candidate, partner, actor=actor, suggestion_id=match_id)
    return queries.match_detail(sessions, match_id)


def split(sessions: SessionFactory, entry_id: int, parts: Sequence[tuple[Any, Decimal]], *, actor: str,
          rule: str = "split") -> dict[str, Any]:
    """Match a payment by hand to invoices (id or number) with amounts, a negative amount deducting a
    credit note (id or number); what is left is the partner's credit. One part is a match by hand."""
    with sessions() as session, transaction(session):
        matching.lock(session)
        entry = _pending_entry(session, entry_id)
        resolved = [(_invoice_id(session, ref, n), amount) for n, (ref, amount) in enumerate(parts)]
        lines = [(invoice_id, amount, Decimal(0)) for invoice_id, amount in resolved]
        candidate, partner = _manual_candidate(session, entry, lines, rule=rule, actor=actor)
        match_id = _book_manual(session, entry, candidate, partner, actor=actor)
    return queries.match_detail(sessions, match_id)


def match_by_hand(sessions: SessionFactory, entry_id: int, invoice: Any, amount: Decimal | None, *,
                  actor: str) -> dict[str, Any]:
    """Match a payment to one invoice: the amount given, else as much as the invoice has open."""
    if amount is None:
        with sessions() as session:
            entry = session.get(StatementEntry, entry_id)
            if entry is None:
                raise NotFound(f"no payment {entry_id}")
            open_now = matching.load_index_of(session, [_invoice_id(session, invoice, 0)])
            amount = min([entry.amount, *(i.open for i in open_now.values())])
    return split(sessions, entry_id, [(invoice, amount)], actor=actor, rule="manual")


def _invoice_id(session: Session, ref: Any, n: int) -> int:
    return _document_id(session, ref, f"allocations[{n}].invoice")


def _manual_candidate(session: Session, entry: StatementEntry, lines: Sequence[tuple[int, Decimal, Decimal]],
                      *, rule: str, actor: str) -> tuple[Candidate, int]:
    """Check a person's allocation against the invoices as they are now: open, same currency, one
    buyer, each amount positive and at most its open amount, together at most the payment. A negative
    amount deducts a credit note of the buyer's (at most the credit it has left): the invoices then
    take the payment and the deduction together."""
    index = matching.load_index_of(session, [i for i, amount, _ in lines if amount > 0])
    notes = matching.load_credit_notes_of(session, [i for i, amount, _ in lines if amount < 0])
    allocations, problems = [], []
    taken: dict[int, Decimal] = {}  # what the lines before took of each document (named twice: added up)
    for n, (invoice_id, amount, write_off) in enumerate(lines):
        inv = index.get(invoice_id)
        where = f"allocations[{n}]"
        if amount < 0:
            note = notes.get(invoice_id)
            left = note.open - taken.get(invoice_id, Decimal(0)) if note else Decimal(0)
            if note is None:
                problems.append(f"{where}.credit_note: document {invoice_id} is not a credit note with "
                                "credit left (one that credited its invoice in full, or used up, has none)")
            elif note.currency != entry.currency:
                problems.append(f"{where}.credit_note: {note.number} is in {note.currency}, the payment in "
                                f"{entry.currency}")
            elif -amount > left:
                problems.append(f"{where}.amount: {-amount} is more than {note.number}'s credit left {left}")
            else:
                allocations.append(Allocation(note.id, note.number, amount))
                taken[invoice_id] = taken.get(invoice_id, Decimal(0)) - amount
                index[note.id] = note  # its partner and credit left, for the checks and figures below
            continue
        left = inv.open - taken.get(invoice_id, Decimal(0)) if inv else Decimal(0)
        if inv is None:
            problems.append(f"{where}.invoice: invoice {invoice_id} is not open")
        elif inv.currency != entry.currency:
            problems.append(f"{where}.invoice: {inv.number} is in {inv.currency}, the payment in "
                            f"{entry.currency}")
        elif amount <= 0 or amount + write_off > left:
            problems.append(f"{where}.amount: {amount} is not between 0 and {inv.number}'s open {left}")
        else:
            allocations.append(Allocation(inv.id, inv.number, amount, write_off))
            taken[invoice_id] = taken.get(invoice_id, Decimal(0)) + amount + write_off
    partners = {index[a.invoice_id].partner_id for a in allocations}
    total = sum((a.amount for a in allocations), Decimal(0))
    if total > entry.amount:
        problems.append(f"allocations: {total} is more than the payment's {entry.amount}")
    if allocations and total <= 0:
        problems.append("allocations: the credit notes deduct as much as the invoices take, or more")
    allocations.sort(key=lambda a: a.amount < 0)  # the invoices first, the credit notes after them
    if len(partners) > 1:
        problems.append("allocations: the invoices belong to several partners")
    if problems:
        raise ValidationError(problems[0], problems=[Problem(
            code="RECONCILIATION_FIELD", message=p, element=p.split(":")[0]) for p in problems])
    figures = {"amount": str(entry.amount), "currency": entry.currency,
               "open": {index[a.invoice_id].number: str(index[a.invoice_id].open) for a in allocations},
               "allocated": str(total)}
    candidate = Candidate(rule, allocations, set(), [f"{rule} by {actor}"], figures,
                          credit=entry.amount - total, score=100)
    return candidate, partners.pop()


def _book_manual(session: Session, entry: StatementEntry, candidate: Candidate, partner: int, *, actor: str,
                 suggestion_id: int | None = None) -> int:
    config = matching.load_config(session)
    [match_id] = booking.book_matches(
        session, [booking.Booking(entry.id, entry.entry_key, entry.currency, candidate, partner)],
        actor=actor, automatic=False, config=config, suggestion_id=suggestion_id)
    _dismiss_suggestions(session, entry.id, keep=match_id)
    session.expire(entry)
    _learn(session, entry, partner, match_id, actor)
    return match_id


def _learn(session: Session, entry: StatementEntry, partner_id: int, match_id: int, actor: str) -> None:
    """Remember the payer's account and name as this partner's, from a match a person made."""
    learnt = []
    for kind, value in (("iban", normalise(entry.counterparty_iban or "")),
                        ("name", matching.name_key(entry.counterparty_name))):
        if value and insert_unless_present(session, PayerMapping, {
                "kind": kind, "value": value, "partner_id": partner_id, "match_id": match_id,
                "created_at": utcnow()}):
            learnt.append({"kind": kind, "value": value})
    record_events(session, [EventSpec(actor, "payer.learnt", "payer_mapping", f"{m['kind']}:{m['value']}",
                                      partner_id, {"match": match_id}) for m in learnt])


def reject(sessions: SessionFactory, entry_id: int, reason: Any, *, actor: str) -> dict[str, Any]:
    """Set a payment aside with a reason (not ours, refunded elsewhere): no run looks at it again."""
    reason = _reason(reason)
    with sessions() as session, transaction(session):
        entry = _pending_entry(session, entry_id)
        entry.status = "rejected"
        entry.details = {**(entry.details or {}), "rejection": {"reason": reason, "by": actor,
                                                                "at": utcnow().isoformat()}}
        _dismiss_suggestions(session, entry.id)
        record_events(session, [EventSpec(actor, "payment.rejected", "statement_entry", str(entry.id), None,
                                          {"entry_key": entry.entry_key, "reason": reason})])
    return queries.payment_detail(sessions, entry_id)


def write_off(sessions: SessionFactory, entry_id: int, account: str, reason: Any, *,
              actor: str) -> dict[str, Any]:
    """Write a whole payment off to an account (bank interest, a stray cent): a match with no invoice."""
    reason, account = _reason(reason), (account or "").strip()
    if not account or len(account) > 60:
        raise ValidationError("account is required", problems=[Problem(
            code="RECONCILIATION_FIELD", message="account: 1 to 60 characters", element="account")])
    with sessions() as session, transaction(session):
        matching.lock(session)
        entry = _pending_entry(session, entry_id)
        now = utcnow()
        candidate = Candidate("write_off", [], set(), [f"written off to {account} by {actor}: {reason}"],
                              {"amount": str(entry.amount), "currency": entry.currency}, score=100)
        match = PaymentMatch(**{**booking.match_row(entry.id, entry.currency, candidate, state="matched",
                                                    actor=actor, rank=1, automatic=False, run_id=None,
                                                    now=now), "decided_by": actor, "decided_at": now})
        session.add(match)
        session.flush()
        session.add(WriteOff(entry_id=entry.id, match_id=match.id, account=account, amount=entry.amount,
                             currency=entry.currency, reason=reason, state="booked", actor=actor))
        entry.status, entry.open_amount = "written_off", Decimal(0)
        _dismiss_suggestions(session, entry.id, keep=match.id)
        record_events(session, [EventSpec(actor, "payment.written_off", "payment_match", str(match.id), None,
                                          {"entry": entry.id, "account": account, "amount": str(entry.amount),
                                           "currency": entry.currency, "reason": reason})])
    return queries.payment_detail(sessions, entry_id)


def undo(sessions: SessionFactory, match_id: int, reason: Any, *, actor: str) -> dict[str, Any]:
    """Take a match back: the invoices' payments reversed (their states follow), write-offs and credit
    undone, mappings it taught forgotten, the payment pending again (and never again matched
    automatically: the next runs only suggest)."""
    reason = _reason(reason, required=False) or "undone"
    with sessions() as session, transaction(session):
        matching.lock(session)
        match = session.get(PaymentMatch, match_id, with_for_update=True)
        if match is None:
            raise NotFound(f"no match {match_id}")
        if match.state != "matched":
            raise MatchRefused(f"match {match_id} is {match.state}: only a match is undone")
        if match.rule == credit.RULE:
            _undo_credit(session, match, reason, actor)
        else:
            undo_in_session(session, match, reason, actor)
    return queries.match_detail(sessions, match_id)


def undo_in_session(session: Session, match: PaymentMatch, reason: str, actor: str) -> None:
    """Take a payment's match back in the caller's transaction (which holds the matching lock);
    refused while the credit it left is spent on invoices."""
    match_id = match.id
    spent = credit.spent_from(session, match.entry_id)
    if spent and session.scalar(select(PartnerCredit.id).where(
            PartnerCredit.match_id == match_id, PartnerCredit.amount > 0)) is not None:
        raise MatchRefused(f"match {match_id} left a credit that was applied to invoices (match "
                           f"{', '.join(map(str, spent))}): undo that first")
    entry = session.get(StatementEntry, match.entry_id, with_for_update=True)
    assert entry is not None
    lines = [invoicing.PaymentLine(int(a["invoice_id"]), abs(Decimal(a["amount"])) + Decimal(a["write_off"]),
                                   entry.entry_key) for a in match.allocations]  # a credit note's: negative
    outcomes = invoicing.reverse_payments(session, lines, actor=actor, reason=reason) if lines else []
    now = utcnow()
    match.state, match.decided_by, match.decided_at = "undone", actor, now
    for model in (WriteOff, PartnerCredit):
        session.execute(update(model).where(model.match_id == match_id).values(state="undone"))
    session.execute(delete(PayerMapping).where(PayerMapping.match_id == match_id))
    entry.status, entry.open_amount = "unmatched", entry.amount
    record_events(session, [EventSpec(actor, "payment.unmatched", "payment_match", str(match_id), None, {
        "entry": entry.id, "reason": reason, "invoices": [[a["number"], a["amount"]]
                                                          for a in match.allocations]})])
    booking.notify_erps(session, outcomes, "undone", actor=actor)


def _undo_credit(session: Session, match: PaymentMatch, reason: str, actor: str) -> None:
    """Take a credit application back: the invoices' payments reversed, the credit it spent open again."""
    lines = [invoicing.PaymentLine(int(a["invoice_id"]), Decimal(a["amount"]), f"credit:{match.id}")
             for a in match.allocations]
    outcomes = invoicing.reverse_payments(session, lines, actor=actor, reason=reason)
    match.state, match.decided_by, match.decided_at = "undone", actor, utcnow()
    session.execute(update(PartnerCredit).where(PartnerCredit.match_id == match.id).values(state="undone"))
    record_events(session, [EventSpec(actor, "credit.unapplied", "payment_match", str(match.id), None, {
        "reason": reason, "currency": match.currency,
        "invoices": [[a["number"], a["amount"]] for a in match.allocations],
        "credits": [[c["entry_key"], c["spent"]] for c in match.figures.get("credits", [])]})])
    booking.notify_erps(session, outcomes, "undone", actor=actor)


def apply_credit(sessions: SessionFactory, parts: Sequence[tuple[Any, Decimal | None]], *,
                 actor: str) -> dict[str, Any]:
    """Spend the invoices' partner's open credit on them: invoices (id or number) with amounts (none:
    as much as is open and left), oldest credit first."""
    with sessions() as session, transaction(session):
        matching.lock(session)
        ids = [_invoice_id(session, ref, n) for n, (ref, _) in enumerate(parts)]
        invoices = matching.load_index_of(session, ids)
        held = credit.open_credits(session, sorted({inv.partner_id for inv in invoices.values()}))
        lines = [(i, amount) for i, (_, amount) in zip(ids, parts, strict=True)]
        application = credit.plan(held, invoices, lines, actor=actor)
        [match_id] = credit.book(session, [application], actor=actor, automatic=False)
    return queries.match_detail(sessions, match_id)


def set_off_credit_note(sessions: SessionFactory, note: Any, invoice: Any, amount: Decimal | None, *,
                        actor: str) -> dict[str, Any]:
    """Set a buyer's credit note (id or number) off against one of its open invoices, no money moving
    (none: as much as both allow); the ERPs are told the two documents' states."""
    with sessions() as session, transaction(session):
        matching.lock(session)  # a run's invoices do not change under it
        outcomes = invoicing.set_off_credit_note(session, _document_id(session, note, "credit_note"),
                                                 _document_id(session, invoice, "invoice"), amount,
                                                 actor=actor)
        booking.notify_erps(session, outcomes, "credit_note_set_off", actor=actor)
    return {"documents": [_outcome_json(o) for o in outcomes]}


def take_back_credit_note(sessions: SessionFactory, note: Any, invoice: Any, amount: Decimal | None,
                          reason: Any, *, actor: str) -> dict[str, Any]:
    """Take back (all, or `amount` of) what a credit note set off against an invoice, with a reason."""
    reason = _reason(reason)
    with sessions() as session, transaction(session):
        matching.lock(session)
        outcomes = invoicing.take_back_credit_note(session, _document_id(session, note, "credit_note"),
                                                   _document_id(session, invoice, "invoice"), amount,
                                                   actor=actor, reason=reason)
        booking.notify_erps(session, outcomes, "credit_note_taken_back", actor=actor)
    return {"documents": [_outcome_json(o) for o in outcomes]}


def _document_id(session: Session, ref: Any, element: str) -> int:
    """An invoice's (or credit note's) id from its id or number; 422 naming `element` when there is none."""
    found = invoicing.find_invoice_id(session, ref)
    if found is None:
        kind = "credit note" if element.endswith("credit_note") else "invoice"
        message = f"{element}: no {kind} {ref!r}"
        raise ValidationError(message, problems=[Problem(code="RECONCILIATION_FIELD", message=message,
                                                         element=element)])
    return found


def _outcome_json(o: invoicing.PaymentOutcome) -> dict[str, Any]:
    return {"id": o.invoice_id, "number": o.number, "state": o.state, "paid": str(o.paid),
            "payable": str(o.payable), "currency": o.currency}


def credits(sessions: SessionFactory, partner_id: int | None = None) -> list[dict[str, Any]]:
    """Partners' open credit per currency, with the credits it is made of (oldest first)."""
    with sessions() as session:
        found = credit.open_credits(session, None if partner_id is None else [partner_id])
        out: dict[tuple[int, str], dict[str, Any]] = {}
        for c in found:
            row = out.setdefault((c.partner_id, c.currency), {
                "partner_id": c.partner_id, "currency": c.currency, "open": Decimal(0), "credits": []})
            row["open"] += c.left
            row["credits"].append({"entry_id": c.entry_id, "entry_key": c.entry_key, "left": str(c.left)})
        names = {pid: name for pid, name in session.execute(select(Partner.id, Partner.name).where(
            Partner.id.in_(sorted({c.partner_id for c in found}))))}
        return [{**row, "partner": names.get(row["partner_id"]), "open": str(row["open"])}
                for row in out.values()]


def _reason(text: Any, *, required: bool = True) -> str:
    value = str(text or "").strip()
    if (required and not value) or len(value) > 300:
        raise ValidationError("a reason is required (at most 300 characters)", problems=[Problem(
            code="RECONCILIATION_FIELD", message="reason: 1 to 300 characters", element="reason")])
    return value


def configure_rule(sessions: SessionFactory, name: str, *, enabled: bool | None, position: int | None,
                   threshold: int | None, actor: str) -> dict[str, Any]:
    """Change a rule's configuration (what is not given keeps its value or default); audited."""
    from hub.reconciliation.domain import DEFAULT_RULES
    from hub.reconciliation.match_models import MatchingRule
    default = {r.name: r for r in DEFAULT_RULES}.get(name)
    if default is None:
        raise ValidationError(f"no rule {name!r}", problems=[Problem(
            code="RECONCILIATION_FIELD", message=f"rule: one of {', '.join(r.name for r in DEFAULT_RULES)}",
            element="rule")])
    with sessions() as session, transaction(session):
        row = session.get(MatchingRule, name) or MatchingRule(
            name=name, enabled=default.enabled, position=default.position, threshold=default.threshold)
        session.add(row)
        row.enabled = row.enabled if enabled is None else enabled
        row.position = row.position if position is None else position
        row.threshold = row.threshold if threshold is None else threshold
        out = {"rule": name, "enabled": row.enabled, "position": row.position, "threshold": row.threshold}
        record_events(session, [EventSpec(actor, "matching.rule_changed", "matching_rule", name, None, out)])
    return out


def configure_tolerance(sessions: SessionFactory, currency: str, *, absolute: Decimal, percent: Decimal,
                        account: str, actor: str) -> dict[str, Any]:
    """Set a currency's tolerance ("*": every currency without its own) and fee account; audited."""
    from hub.reconciliation.match_models import MatchingTolerance
    currency = currency.strip().upper()
    if not (currency == "*" or (len(currency) == 3 and currency.isalpha())) or absolute < 0 or percent < 0 \
            or not account.strip():
        raise ValidationError("a tolerance needs a currency (ISO 4217 or *), amounts from 0 and an account",
                              problems=[Problem(code="RECONCILIATION_FIELD", message="currency, absolute, "
                                                "percent, account", element="tolerance")])
    with sessions() as session, transaction(session):
        row = session.get(MatchingTolerance, currency) or MatchingTolerance(currency=currency)
        session.add(row)
        row.absolute, row.percent, row.account = absolute, percent, account.strip()
        out = {"currency": currency, "absolute": str(absolute), "percent": str(percent),
               "account": row.account}
        record_events(session, [EventSpec(actor, "matching.tolerance_changed", "matching_tolerance", currency,
                                          None, out)])
    return out
