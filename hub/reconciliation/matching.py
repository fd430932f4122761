"""Set-based candidate search: a handful of queries load the open invoices, their references, the payers'
identities, remittance advices and the payments to match into dicts; `rules.decide` then scores each
payment in one pass in Python. No query per payment, no nested loop over invoices."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hub.invoicing import service as invoicing
from hub.partners.models import Partner, PartnerIdentifier
from hub.reconciliation import rules
from hub.reconciliation.domain import (
    DEFAULT_RULES,
    Config,
    Decision,
    Index,
    OpenInvoice,
    Payment,
    Remittance,
    RuleConfig,
    Tolerance,
    normalise,
)
from hub.reconciliation.match_models import MatchingRule, MatchingTolerance, PayerMapping, PaymentMatch
from hub.reconciliation.models import RemittanceRecord, StatementEntry

PENDING = ("unmatched", "suggested")  # the entries a run looks at
IDENTITY_SCHEMES = ("vat", "cnpj", "cpf")
LOCK_KEY = 7_310_016  # the advisory lock every matching run and decision takes on PostgreSQL
CHUNK = 500


def lock(session: Session) -> None:
    """One matcher at a time: a transaction-scoped advisory lock on PostgreSQL; on SQLite the
    database's write lock, taken now by a write that changes nothing (so what is read next, and the
    ids that follow the largest, cannot change under this transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    else:
        session.execute(text("UPDATE matching_rules SET enabled = enabled WHERE 1 = 0"))


def name_key(name: str | None) -> str:
    """A payer's name compared without case, punctuation or repeated spaces."""
    return " ".join(re.findall(r"[0-9A-Z]+", (name or "").upper()))


def load_config(session: Session) -> Config:
    """Rules and tolerances from their tables; a rule or currency without a row keeps its default."""
    stored = {r.name: r for r in session.scalars(select(MatchingRule))}
    configured = tuple(RuleConfig(d.name, stored[d.name].enabled, stored[d.name].position,
                                  stored[d.name].threshold) if d.name in stored else d for d in DEFAULT_RULES)
    tolerances = {"*": Tolerance()}
    tolerances.update({t.currency: Tolerance(t.absolute, t.percent, t.account)
                       for t in session.scalars(select(MatchingTolerance))})
    return Config(configured, tolerances)


def load_index(session: Session) -> Index:
    """Every open invoice and its RF, Pix and boleto references, and the credit notes with credit
    left (a query each, through invoicing)."""
    invoices, refs = [], []
    for r in invoicing.open_invoices(session):
        invoices.append(OpenInvoice(r[0], r[1], r[2], r[3], r[4], r[5], r[6]))
        if r[7] or r[8] or r[9]:  # most invoices carry none
            refs += [(r[0], kind, value) for kind, value in (("rf", r[7]), ("pix", r[8]), ("boleto", r[9]))
                     if value]
    return Index(invoices, refs, [OpenInvoice(*r) for r in invoicing.open_credit_notes(session)])


@dataclass
class Payers:
    """Who a payer is, by IBAN, CNPJ/CPF/VAT or a learnt name: partner id and the reason in words."""

    ibans: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)

    def identify(self, iban: str | None, company_id: str | None, name: str | None
                 ) -> tuple[int | None, str | None]:
        for value, table, label in ((iban, self.ibans, "IBAN"), (company_id, self.ids, "tax id"),
                                    (name, self.names, "learnt name")):
            if not value or not table:  # nothing to look up (its key would be empty)
                continue
            key = name_key(value) if table is self.names else normalise(value)
            if key and key in table:
                return table[key], f"the payer's {label} {value} is the invoices' buyer's"
        return None, None


def load_payers(session: Session) -> Payers:
    """Partners' bank accounts (profile `bank_accounts`), tax ids and the mappings learnt so far."""
    payers = Payers()
    for partner_id, profile in session.execute(select(Partner.id, Partner.profile)):
        for account in (profile or {}).get("bank_accounts") or []:
            payers.ibans[normalise(str(account))] = partner_id
    for partner_id, value in session.execute(select(PartnerIdentifier.partner_id, PartnerIdentifier.value)
                                             .where(PartnerIdentifier.scheme.in_(IDENTITY_SCHEMES))):
        payers.ids[normalise(value)] = partner_id
    for kind, value, partner_id in session.execute(select(PayerMapping.kind, PayerMapping.value,
                                                          PayerMapping.partner_id)):
        (payers.ibans if kind == "iban" else payers.names)[value] = partner_id
    return payers


def load_payments(session: Session, payers: Payers, entry_ids: Sequence[int] | None = None) -> list[Payment]:
    """The payments still to match (or those of `entry_ids`), oldest first, with their payer's identity."""
    e = StatementEntry
    query = select(e.id, e.entry_key, e.amount, e.currency, e.booking_date, e.fees, e.reversal,
                   e.remittance_info, e.structured_reference, e.pix_txid, e.end_to_end_id, e.partner_id,
                   e.counterparty_iban, e.counterparty_id, e.counterparty_name, e.status)
    query = query.where(e.id.in_(entry_ids)) if entry_ids is not None else query.where(e.status.in_(PENDING))
    undone = set(session.scalars(select(PaymentMatch.entry_id).where(PaymentMatch.state == "undone")))
    out, zero, identify = [], Decimal(0), payers.identify
    # Core rows unpacked as tuples (a Row's attribute per field cost 0.4 s over 100,000 payments)
    rows = session.connection().execute(query.order_by(e.booking_date, e.id))
    for (entry_id, key, amount, currency, booked, fees, reversal, info, structured, pix, e2e, partner_id,
         iban, company_id, name, status) in rows:
        payer, why = (partner_id, "the statement names the payer") if partner_id else \
            identify(iban, company_id, name)
        out.append(Payment(entry_id, key, amount, currency, booked, fees or zero, reversal, info or "",
                           structured, pix, e2e, payer, why, entry_id in undone, status))
    return out


class Remittances:
    """Remittance advices not yet used: by the entry they were read with, and by partner and total."""

    def __init__(self, records: Iterable[tuple[int, int | None, Remittance]]) -> None:
        self.by_entry: dict[int, list[Remittance]] = {}
        self.by_total: dict[tuple[str, Decimal], list[Remittance]] = {}
        self.used: dict[int, int] = {}  # remittance id -> entry id
        self.names: dict[int, frozenset[str]] = {}  # remittance id -> its number and invoices, normalised
        for _, entry_id, r in records:
            if entry_id is not None:
                self.by_entry.setdefault(entry_id, []).append(r)
            elif r.currency and r.total is not None:
                self.by_total.setdefault((r.currency, r.total), []).append(r)
                self.names[r.id] = frozenset(normalise(n) for n in (r.number, *(n for n, _ in r.lines)))

    def for_payment(self, p: Payment, ix: Index) -> list[Remittance]:
        """Those read with the payment, or of its amount: named by the payment's text (their number or
        an invoice's), or from its payer when none of the payer's open invoices has that amount (else
        the advice could be for another payment)."""
        same = self.by_total.get((p.currency, p.amount)) if self.by_total else None
        if not same:
            return self.by_entry.get(p.id, []) if self.by_entry else []
        words, used, names = p.words, self.used, self.names
        alone = not ix.by_partner_amount.get((p.payer_id or 0, p.currency, p.amount))
        named = [r for r in same if r.id not in used and (
            not words.isdisjoint(names[r.id]) or (r.partner_id == p.payer_id and alone))]
        return [*self.by_entry.get(p.id, ()), *named]


def load_remittances(session: Session) -> Remittances:
    rr = RemittanceRecord
    used = select(PaymentMatch.id).where(PaymentMatch.entry_id == rr.entry_id,
                                         PaymentMatch.state == "matched").exists()
    records = []
    for row in session.scalars(select(rr).where(~used, rr.state == "active").order_by(rr.id)):
        lines = tuple((str(ln.get("invoice", "")), Decimal(str(ln.get("amount", "0"))))
                      for ln in row.lines or [] if isinstance(ln, dict))
        records.append((row.id, row.entry_id, Remittance(row.id, row.partner_id, row.number, row.currency,
                                                         row.total, lines)))
    return Remittances(records)


def match_all(payments: Sequence[Payment], index: Index, remits: Remittances, config: Config
              ) -> list[Decision]:
    """Decide every payment in one pass, oldest first; a match takes its amounts off the invoices
    before the next payment is looked at."""
    decisions = []
    decide, for_payment, settle, used = rules.Decider(config), remits.for_payment, index.settle, remits.used
    for p in payments:
        decision = decide(p, index, for_payment(p, index))
        p.decided()
        match = decision.match
        if match is not None:
            settle(match.allocations)
            remittance = match.figures.get("remittance")
            if remittance:
                used[remittance["id"]] = p.id
        decisions.append(decision)
    return decisions


def load_index_of(session: Session, ids: Sequence[int]) -> dict[int, OpenInvoice]:
    """The open invoices among `ids`, locked for the decision being made."""
    return {r[0]: OpenInvoice(*r[:7]) for r in invoicing.open_invoices(session, ids, lock=True)}


def load_credit_notes_of(session: Session, ids: Sequence[int]) -> dict[int, OpenInvoice]:
    """The credit notes among `ids` with credit left (`open`), locked for the decision being made."""
    if not ids:
        return {}
    return {r[0]: OpenInvoice(*r) for r in invoicing.open_credit_notes(session, ids, lock=True)}
