"""A partner's credit (what its overpayments left) spent on its open invoices, in the caller's transaction.

What is left of a credit is the sum of its `partner_credits` rows that are `open`: the positive row the
overpayment's match wrote, less a negative row for each application that spent from it (so undoing an
application, which marks its rows `undone`, gives the credit back). Oldest credit is spent first.

An application is a match-like record (`payment_matches`, rule `credit`, on the entry whose overpayment
left the first credit it spends) with its evidence (the credits spent, the amounts open and the
balance before), its allocations, an audit event `credit.applied`; the invoices move to partially
paid or paid through the invoicing service and the ERPs are told through the outbox (event
`credit_applied`). Currencies are never mixed: a credit in EUR pays only EUR invoices.

Automatically, at the end of a matching run while the rule `credit` is enabled: a partner's open
credit in a currency that equals exactly the open amount of one and only one of its open invoices in
that currency pays that invoice (two signals: the partner's own money, and the amount). Anything
else waits for a person (`POST /api/v1/reconciliation/credits/apply`, or the admin page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_events
from hub.bulk import next_ids
from hub.db import utcnow
from hub.domain.errors import Problem, ValidationError
from hub.invoicing import service as invoicing
from hub.reconciliation import booking
from hub.reconciliation.domain import AMOUNT, PAYER, Allocation, Candidate, Index, OpenInvoice
from hub.reconciliation.match_models import PartnerCredit, PaymentAllocation, PaymentMatch
from hub.reconciliation.models import StatementEntry

RULE = "credit"
CENT = Decimal("0.01")
ZERO = Decimal(0)


@dataclass(frozen=True)
class OpenCredit:
    """What is left of one overpayment's credit."""

    partner_id: int
    currency: str
    entry_id: int
    entry_key: str
    left: Decimal


@dataclass
class Application:
    """Credit to spend: on which invoices, from which credits, and why."""

    partner_id: int
    currency: str
    allocations: list[Allocation]
    spent: list[tuple[OpenCredit, Decimal]]
    reasons: list[str]
    signals: set[str] = field(default_factory=set)
    figures: dict[str, Any] = field(default_factory=dict)


def open_credits(session: Session, partner_ids: Sequence[int] | None = None) -> list[OpenCredit]:
    """Every credit with something left (of `partner_ids`, or all), oldest first: one grouped query."""
    pc = PartnerCredit
    query = (select(pc.partner_id, pc.currency, pc.entry_id, StatementEntry.entry_key, func.sum(pc.amount),
                    func.min(pc.id).label("first"))
             .join(StatementEntry, StatementEntry.id == pc.entry_id).where(pc.state == "open")
             .group_by(pc.partner_id, pc.currency, pc.entry_id, StatementEntry.entry_key).order_by("first"))
    if partner_ids is not None:
        query = query.where(pc.partner_id.in_(list(partner_ids)))
    out = []
    for partner_id, currency, entry_id, key, total, _ in session.execute(query):
        left = Decimal(str(total)).quantize(CENT)  # SQLite sums in floating point
        if left > 0:
            out.append(OpenCredit(partner_id, currency, entry_id, key, left))
    return out


def balances(credits: Sequence[OpenCredit]) -> dict[tuple[int, str], Decimal]:
    """Each partner's open credit per currency."""
    out: dict[tuple[int, str], Decimal] = {}
    for c in credits:
        out[(c.partner_id, c.currency)] = out.get((c.partner_id, c.currency), ZERO) + c.left
    return out


def spend(credits: Sequence[OpenCredit], amount: Decimal) -> list[tuple[OpenCredit, Decimal]]:
    """Which credits pay `amount`, oldest first (the caller checked there is enough)."""
    out, rest = [], amount
    for c in credits:
        if rest <= 0:
            break
        take = min(c.left, rest)
        out.append((c, take))
        rest -= take
    return out


def plan(credits: Sequence[OpenCredit], invoices: dict[int, OpenInvoice],
         lines: Sequence[tuple[int, Decimal | None]], *, actor: str) -> Application:
    """A person's application checked against the invoices as they are now: open, of one partner, in
    the credit's currency, each amount positive and at most its open amount, together at most the
    partner's open credit in that currency. An amount not given is as much as is open and left."""
    problems: list[str] = []
    chosen = [(n, invoices.get(invoice_id), amount) for n, (invoice_id, amount) in enumerate(lines)]
    for n, inv, _ in chosen:
        if inv is None:
            problems.append(f"allocations[{n}].invoice: the invoice is not open")
    live = [(n, inv, amount) for n, inv, amount in chosen if inv is not None]
    partners = {inv.partner_id for _, inv, _ in live}
    currencies = {inv.currency for _, inv, _ in live}
    if len(partners) > 1:
        problems.append("allocations: the invoices belong to several partners")
    if len(currencies) > 1:
        problems.append("allocations: the invoices are in several currencies "
                        f"({', '.join(sorted(currencies))}): a credit pays invoices of its own currency only")
    if problems or not live:
        raise _invalid(problems or ["allocations: no open invoice"])
    partner_id, currency = partners.pop(), currencies.pop()
    mine = [c for c in credits if c.partner_id == partner_id and c.currency == currency]
    available = sum((c.left for c in mine), ZERO)
    if available <= 0:
        others = sorted({c.currency for c in credits if c.partner_id == partner_id})
        elsewhere = f" (it has some in {', '.join(others)}; currencies are never mixed)" if others else ""
        raise _invalid([f"allocations: the partner has no open credit in {currency}{elsewhere}"])
    allocations, left = [], available
    for n, inv, amount in live:
        take = min(inv.open, left) if amount is None else amount
        if take <= 0 or take > inv.open:
            problems.append(f"allocations[{n}].amount: {take} is not between 0 and {inv.number}'s open "
                            f"{inv.open}")
            continue
        allocations.append(Allocation(inv.id, inv.number, take))
        left -= take
    total = sum((a.amount for a in allocations), ZERO)
    if total > available:
        problems.append(f"allocations: {total} is more than the partner's open credit of {available} "
                        f"{currency}")
    if problems:
        raise _invalid(problems)
    return Application(partner_id, currency, allocations, spend(mine, total),
                       [f"{RULE} applied by {actor}: {total} of the partner's {available} {currency}"],
                       figures=_figures(available, currency, allocations, invoices))


def exact(credits: Sequence[OpenCredit], index: Index) -> list[Application]:
    """The automatic rule: a partner's credit equal to the open amount of exactly one of its open
    invoices of that currency pays it."""
    out = []
    by_partner: dict[tuple[int, str], list[OpenCredit]] = {}
    for c in credits:
        by_partner.setdefault((c.partner_id, c.currency), []).append(c)
    for (partner_id, currency), total in balances(credits).items():
        ids = index.by_partner_amount.get((partner_id, currency, total)) or set()
        if len(ids) != 1:
            continue
        inv = index.by_id[next(iter(ids))]
        allocation = Allocation(inv.id, inv.number, total)
        out.append(Application(
            partner_id, currency, [allocation], spend(by_partner[(partner_id, currency)], total),
            [f"the partner's open credit of {total} {currency} equals {inv.number}'s open amount, and no "
             f"other open invoice of the partner has that amount"],
            {PAYER, AMOUNT}, _figures(total, currency, [allocation], index.by_id)))
    return out


def _figures(available: Decimal, currency: str, allocations: Sequence[Allocation],
             invoices: dict[int, OpenInvoice]) -> dict[str, Any]:
    return {"credit_before": str(available), "currency": currency,
            "open": {invoices[a.invoice_id].number: str(invoices[a.invoice_id].open) for a in allocations},
            "applied": str(sum((a.amount for a in allocations), ZERO))}


def book(session: Session, applications: Sequence[Application], *, actor: str, automatic: bool,
         run_id: int | None = None) -> list[int]:
    """Write applications in bulk: the match rows, allocations, negative credit rows, the invoices'
    payments, the audit events and the ERPs' messages. Returns the match ids in order."""
    if not applications:
        return []
    now = utcnow()
    ids = next_ids(session, PaymentMatch, len(applications))
    rows, allocations, credits, payments, events = [], [], [], [], []
    for match_id, app in zip(ids, applications, strict=True):
        app.figures["credits"] = [{"entry_id": c.entry_id, "entry_key": c.entry_key, "left": str(c.left),
                                   "spent": str(amount)} for c, amount in app.spent]
        candidate = Candidate(RULE, app.allocations, set(app.signals), app.reasons, app.figures, score=100)
        row = booking.match_row(app.spent[0][0].entry_id, app.currency, candidate, state="matched",
                                actor=actor, rank=1, automatic=automatic, run_id=run_id, now=now)
        rows.append({**row, "id": match_id, "decided_by": None if automatic else actor, "decided_at": now})
        for a in app.allocations:
            allocations.append({"match_id": match_id, "invoice_id": a.invoice_id, "amount": a.amount,
                                "write_off": ZERO})
            payments.append(invoicing.PaymentLine(a.invoice_id, a.amount, f"credit:{match_id}"))
        credits += [{"partner_id": app.partner_id, "match_id": match_id, "entry_id": c.entry_id,
                     "amount": -amount, "currency": app.currency, "state": "open", "created_at": now}
                    for c, amount in app.spent]
        events.append(EventSpec(actor, "credit.applied", "payment_match", str(match_id), app.partner_id, {
            "currency": app.currency, "automatic": automatic, "reasons": app.reasons,
            "invoices": [[a.number, str(a.amount)] for a in app.allocations],
            "credits": [[c.entry_key, str(amount)] for c, amount in app.spent]}))
    booking.write_rows(session, PaymentMatch, rows)
    booking.write_rows(session, PaymentAllocation, allocations)
    booking.write_rows(session, PartnerCredit, credits)
    outcomes = invoicing.record_payments(session, payments, actor=actor)
    record_events(session, events)
    booking.notify_erps(session, outcomes, "credit_applied", actor=actor, run_id=run_id)
    return ids


def spent_from(session: Session, entry_id: int) -> list[int]:
    """The applications still standing that spent the credit an entry's overpayment left."""
    return sorted(set(session.scalars(select(PartnerCredit.match_id).where(
        PartnerCredit.entry_id == entry_id, PartnerCredit.state == "open", PartnerCredit.amount < 0))))


def _invalid(problems: list[str]) -> ValidationError:
    return ValidationError(problems[0], problems=[Problem(code="RECONCILIATION_FIELD", message=p,
                                                          element=p.split(":")[0]) for p in problems])
