"""Matching payments to open invoices, in pure Python: whole-token references, signals, scores, rules,
tolerances and allocations. No Flask, no SQLAlchemy: `matching` feeds it plain values.

A candidate is a proposed allocation of one payment to one or more invoices, with the rule that
proposed it, the independent signals that agree, a score and its reasons in words. It is made
automatically only when its score passes its rule's threshold AND at least two signals agree AND
nothing contradicts it; everything else is a suggestion for a person.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import pairwise
from typing import Any, NamedTuple

from stdnum import iso11649

CENT = Decimal("0.01")
ZERO = Decimal(0)

# The independent signals; each counts once however many ways it was seen.
REFERENCE = "reference"  # a structured reference, or the invoice number as a whole token
REMITTANCE = "remittance"  # a remittance advice line names the invoice
PAYER = "payer"  # the payer's identity: IBAN, CNPJ/CPF/VAT, or a learnt name
AMOUNT = "amount"  # the amount equals the open amount (within tolerance)
WEIGHTS = {REFERENCE: 55, REMITTANCE: 55, PAYER: 30, AMOUNT: 30}
AMOUNT_WITHIN_TOLERANCE = 25  # the amount's weight when it is off by fees within the tolerance

RULE_NAMES = ("reference", "remittance", "partner_amount", "amount_tolerance")


@dataclass(frozen=True)
class RuleConfig:
    """One rule as configured: whether it runs, where in the order, the score an automatic match needs."""

    name: str
    enabled: bool = True
    position: int = 0
    threshold: int = 80


# `credit` is not a payment rule: enabled, a run ends by spending each partner's open credit on the one
# open invoice it equals exactly (see reconciliation.credit); its position and threshold are not used
DEFAULT_RULES = (RuleConfig("reference", True, 1, 80), RuleConfig("remittance", True, 2, 80),
                 RuleConfig("partner_amount", True, 3, 60), RuleConfig("amount_tolerance", True, 4, 60),
                 RuleConfig("credit", True, 5, 100))


@dataclass(frozen=True)
class Tolerance:
    """How far a payment may fall short of (or exceed) an open amount and still settle it: both limits
    hold (at most `absolute`, and at most `percent` of the open amount). A shortfall is written off
    to `account` (bank fees); an excess is the partner's credit."""

    absolute: Decimal = Decimal("5.00")
    percent: Decimal = Decimal("2")
    account: str = "fees"

    @cached_property
    def figures(self) -> dict[str, str]:
        """The tolerance as a candidate's figures show it: one dict shared by all the candidates it
        judged (never changed: 110,000 copies of it were 26 MB of a run)."""
        return {"absolute": str(self.absolute), "percent": str(self.percent)}

    def allows(self, open_amount: Decimal, difference: Decimal) -> bool:
        """Whether `difference` (either sign) settles `open_amount`."""
        gap = abs(difference)
        return gap <= self.absolute and gap * 100 <= self.percent * open_amount


@dataclass(frozen=True)
class Config:
    """The engine's configuration: rules in order and a tolerance per currency ("*" for the others)."""

    rules: tuple[RuleConfig, ...] = DEFAULT_RULES
    tolerances: dict[str, Tolerance] = field(default_factory=lambda: {"*": Tolerance()})

    def tolerance(self, currency: str) -> Tolerance:
        return self.tolerances.get(currency) or self.tolerances.get("*") or Tolerance(ZERO, ZERO)

    def enabled(self, name: str) -> bool:
        return any(r.name == name and r.enabled for r in self.rules)

    def ordered(self) -> tuple[RuleConfig, ...]:
        return self._ordered

    @cached_property
    def _ordered(self) -> tuple[RuleConfig, ...]:  # once per run, not once per payment
        return tuple(sorted((r for r in self.rules if r.enabled), key=lambda r: (r.position, r.name)))


# --- tokens and references ------------------------------------------------------------------------

_SPLIT = re.compile(r"[\s,;:()\[\]{}<>\"'|+*=!?#]+")
_SEPARATORS = re.compile(r"[^0-9A-Za-z]")
# For ASCII text (nearly all of it) one str.translate does what the expressions above do, made from
# them so that the two cannot disagree: a separator of tokens becomes a space, any other character
# but a letter or digit goes, a letter is upper-cased (re.sub and re.split cost a run 0.8 s)
_ASCII = [chr(n) for n in range(128)]
_NORMALISED = str.maketrans({c: c.upper() if c.isalnum() else None for c in _ASCII})
_TOKENISED = str.maketrans({c: c.upper() if c.isalnum() else " " if _SPLIT.fullmatch(c) else None
                            for c in _ASCII})


def normalise(value: str) -> str:
    """A reference compared without case or separators: 'inv-2026/0001' -> 'INV20260001'."""
    if value.isascii():
        return value.translate(_NORMALISED)
    return _SEPARATORS.sub("", value).upper()


def tokens(text: str | None) -> set[str]:
    """The whole tokens of a text, normalised; two or three neighbours written apart ('INV 2026 0001')
    are also tried joined. Never a fragment of a token: 'a34bc3xxx1' is one token, not 3431."""
    if not text:
        return set()
    if text.isascii():
        words = text.translate(_TOKENISED).split()
    else:
        words = [w if w.isalnum() and w.isascii() else normalise(w) for w in _SPLIT.split(text.upper())]
        words = [w for w in words if w]
    found = set(words)
    if len(words) > 1:
        found.update([a + b for a, b in pairwise(words)])
        if len(words) > 2:
            found.update([a + b + c for a, b, c in zip(words, words[1:], words[2:], strict=False)])
    return found


def rf_reference(value: str | None) -> tuple[str | None, str | None]:
    """(the RF creditor reference, normalised) when `value` is a valid ISO 11649 one; else (None, why)."""
    if not value:
        return None, None
    compact = normalise(value)
    if not compact.startswith("RF"):
        return None, None
    if iso11649.is_valid(compact):
        return compact, None
    return None, f"RF reference {value} fails its ISO 11649 check digits: ignored"


# --- what the engine looks at ---------------------------------------------------------------------

@dataclass(slots=True)
class OpenInvoice:
    """An invoice still to be paid, as the engine sees it; `open` shrinks as payments are allocated
    (`pay`). It is an attribute, not a property: a run reads it over a million times."""

    id: int
    number: str
    partner_id: int
    currency: str
    payable: Decimal
    paid: Decimal
    due: date | None
    open: Decimal = field(init=False)

    def __post_init__(self) -> None:
        self.open = self.payable - self.paid

    def pay(self, amount: Decimal) -> None:
        """Take `amount` off what is open."""
        self.paid += amount
        self.open = self.payable - self.paid


# not frozen: a frozen dataclass's __init__ costs a call per field, a run makes 100,000; slots: no dict
# for each of them
@dataclass(eq=False, slots=True)
class Payment:
    """A statement entry as the engine sees it (positive amount: money received)."""

    id: int
    key: str
    amount: Decimal
    currency: str
    booking_date: date
    fees: Decimal = ZERO
    reversal: bool = False
    text: str = ""
    structured: str | None = None
    pix_txid: str | None = None
    end_to_end_id: str | None = None
    payer_id: int | None = None  # the partner the payer's identity points to, when it does
    payer_reason: str | None = None
    undone_before: bool = False  # a person undid a match of it: suggestions only from now on
    status: str = "unmatched"

    _words: set[str] | None = field(default=None, init=False, repr=False)

    @property
    def words(self) -> set[str]:
        """The whole tokens of the payment's text and structured reference, made on first use
        (functools.cached_property would take a lock for each: a third of a second of a run)."""
        words = self._words
        if words is None:
            words = tokens(self.text)
            if self.structured:  # most payments quote none
                words |= tokens(self.structured)
            self._words = words
        return words

    def decided(self) -> None:
        """Drop what only deciding it needed: its words (36 MB over a run, reused by what follows)."""
        self._words = None


@dataclass(frozen=True)
class Remittance:
    """A partner's remittance advice: which invoices (by number) and how much of each."""

    id: int
    partner_id: int
    number: str
    currency: str | None
    total: Decimal | None
    lines: tuple[tuple[str, Decimal], ...]


class Allocation(NamedTuple):  # immutable; a run makes 100,000 (a frozen dataclass's init costs 2.5 times)
    """What one invoice takes of a payment; negative, what a credit note deducted from it (the invoices
    then take the payment and the credit note's amount together)."""

    invoice_id: int  # an invoice's, or (amount negative) a credit note's
    number: str
    amount: Decimal  # of the payment's money
    write_off: Decimal = ZERO  # the shortfall written off (bank fees within tolerance)


@dataclass(slots=True)
class Candidate:
    """One proposal: allocations, the rule, the signals that agree, the score, reasons and figures."""

    rule: str
    allocations: list[Allocation]
    signals: set[str]
    reasons: list[str]
    figures: dict[str, Any]
    credit: Decimal = ZERO  # what the payment leaves over: the partner's credit
    conflict: str | None = None  # a signal that disagrees: never automatic
    doubt: str | None = None  # nothing disagrees, but a person should look: never automatic
    score: int = 0

    def key(self) -> tuple[int, ...]:
        return tuple(sorted(a.invoice_id for a in self.allocations))


@dataclass(slots=True)
class Decision:
    """What the engine makes of a payment: one automatic match, or suggestions (best first)."""

    payment: Payment
    match: Candidate | None
    suggestions: list[Candidate]
    note: str | None = None


class Index:
    """Open invoices by number, structured references, partner and amount: built once per run."""

    def __init__(self, invoices: Iterable[OpenInvoice], refs: Iterable[tuple[int, str, str]] = (),
                 credit_notes: Iterable[OpenInvoice] = ()) -> None:
        self.by_id: dict[int, OpenInvoice] = {}
        # credit notes a remittance advice may deduct (their `open`: the credit left), apart from the
        # invoices: no rule offers one as something a payment pays
        self.credit_notes: dict[int, OpenInvoice] = {}
        self.credit_by_number: dict[str, list[int]] = {}
        for note in credit_notes:
            self.credit_notes[note.id] = note
            self.credit_by_number.setdefault(normalise(note.number), []).append(note.id)
        self.by_ref: dict[tuple[str, str], int] = {}
        # filled in one pass through defaultdicts (setdefault makes a new list or set per call), kept as
        # plain dicts: a lookup of what is not there adds nothing
        numbers: defaultdict[str, list[int]] = defaultdict(list)
        partners: defaultdict[tuple[int, str], list[int]] = defaultdict(list)
        amounts: defaultdict[tuple[str, Decimal], set[int]] = defaultdict(set)
        partner_amounts: defaultdict[tuple[int, str, Decimal], set[int]] = defaultdict(set)
        counts: defaultdict[tuple[int, str], int] = defaultdict(int)
        by_id = self.by_id
        for inv in invoices:
            invoice_id, partner_id, currency, amount = inv.id, inv.partner_id, inv.currency, inv.open
            by_id[invoice_id] = inv
            numbers[normalise(inv.number)].append(invoice_id)
            partners[(partner_id, currency)].append(invoice_id)
            amounts[(currency, amount)].add(invoice_id)
            partner_amounts[(partner_id, currency, amount)].add(invoice_id)
            if amount > ZERO:
                counts[(partner_id, currency)] += 1
        self.by_number: dict[str, list[int]] = dict(numbers)
        self.by_partner: dict[tuple[int, str], list[int]] = dict(partners)
        # open amount -> invoices, per partner and overall (sets: a payment takes one out in O(1))
        self.by_partner_amount: dict[tuple[int, str, Decimal], set[int]] = dict(partner_amounts)
        self.by_amount: dict[tuple[str, Decimal], set[int]] = dict(amounts)
        # how many of a partner's invoices in a currency are still open (`settle` keeps it)
        self.open_count: dict[tuple[int, str], int] = dict(counts)
        for invoice_id, kind, value in refs:  # kind: rf | pix | boleto
            if invoice_id in by_id and value:
                self.by_ref[(kind, normalise(value))] = invoice_id

    def _add(self, inv: OpenInvoice) -> None:
        self.by_amount.setdefault((inv.currency, inv.open), set()).add(inv.id)
        self.by_partner_amount.setdefault((inv.partner_id, inv.currency, inv.open), set()).add(inv.id)

    def _remove(self, inv: OpenInvoice) -> None:
        for found in (self.by_amount.get((inv.currency, inv.open)),
                      self.by_partner_amount.get((inv.partner_id, inv.currency, inv.open))):
            if found is not None:
                found.discard(inv.id)

    def live(self, ids: Iterable[int]) -> list[OpenInvoice]:
        """The invoices among `ids` still open, oldest due first."""
        by_id = self.by_id
        found = [inv for i in ids if (inv := by_id.get(i)) is not None and inv.open > ZERO]
        if len(found) > 1:
            found.sort(key=_due_order)
        return found

    def credit_note(self, number: str, partner_id: int, currency: str) -> OpenInvoice | None:
        """The partner's credit note of that number in that currency with credit left, if any."""
        for note_id in self.credit_by_number.get(normalise(number), ()):
            note = self.credit_notes[note_id]
            if note.partner_id == partner_id and note.currency == currency and note.open > ZERO:
                return note
        return None

    def settle(self, allocations: Sequence[Allocation]) -> None:
        """Take allocated amounts off the invoices' open amounts, and deducted credit notes' amounts
        off their credit left (later payments see what is left)."""
        for a in allocations:
            if a.amount < ZERO:  # a credit note deducted
                self.credit_notes[a.invoice_id].pay(-a.amount)
                continue
            inv = self.by_id[a.invoice_id]
            self._remove(inv)
            was_open = inv.open > ZERO
            inv.pay(a.amount + a.write_off)
            if inv.open > ZERO:
                self._add(inv)
            elif was_open:
                self.open_count[(inv.partner_id, inv.currency)] -= 1


def _due_order(inv: OpenInvoice) -> tuple[date, int]:
    return inv.due or date.max, inv.id


# --- allocation -----------------------------------------------------------------------------------

def allocate(amount: Decimal, invoices: Sequence[OpenInvoice], tol: Tolerance, total: Decimal | None = None
             ) -> tuple[list[Allocation], Decimal, bool, str]:
    """Spread `amount` over invoices (oldest due first): (allocations, credit, amount agrees, how).

    Their open amounts together equal the amount within tolerance: all settled, a shortfall written
    off, an excess kept as credit. More: all settled, the rest credit (overpayment). Less: paid in
    order until the money runs out (partial payment). `total`: their open amounts' sum (`open_total`),
    when the caller has it already."""
    if total is None:
        total = open_total(invoices)
    gap = total - amount
    # Decimals shown with str(): an f-string's format() of a Decimal costs six times as much
    if gap == ZERO or tol.allows(total, gap):
        allocs = [Allocation(i.id, i.number, i.open) for i in invoices]
        if gap > ZERO:  # the shortfall (bank fees) is written off, from the last invoice backwards
            left = gap
            for n in range(len(allocs) - 1, -1, -1):
                a = allocs[n]
                off = min(left, a.amount)
                allocs[n] = Allocation(a.invoice_id, a.number, a.amount - off, off)
                left -= off
            return allocs, ZERO, True, f"short by {gap!s} (within tolerance): written off"
        return allocs, -gap, True, "equal" if gap == ZERO else f"over by {-gap!s} (within tolerance): credit"
    if gap < ZERO:
        return [Allocation(i.id, i.number, i.open) for i in invoices], -gap, False, \
            f"overpaid by {-gap!s}: kept as credit"
    allocs, left = [], amount
    for inv in invoices:
        if left <= ZERO:
            break
        part = min(left, inv.open)
        allocs.append(Allocation(inv.id, inv.number, part))
        left -= part
    return allocs, ZERO, False, f"partial: {amount!s} of {total!s} open"


def open_total(invoices: Sequence[OpenInvoice]) -> Decimal:
    """What the invoices have open together (as `sum` from zero makes it, one invoice too)."""
    if len(invoices) == 1:
        return ZERO + invoices[0].open
    return sum((i.open for i in invoices), ZERO)


def figures(payment: Payment, invoices: Sequence[OpenInvoice], tol: Tolerance, how: str,
            total: Decimal | None = None) -> dict[str, Any]:
    """The figures a candidate was decided on, as text; `total`: `open_total(invoices)` when known."""
    return {"amount": str(payment.amount), "currency": payment.currency, "fees": str(payment.fees),
            "open": {i.number: str(i.open) for i in invoices},
            "open_total": str(open_total(invoices) if total is None else total),
            "tolerance": tol.figures, "outcome": how}


def allocate_lines(amount: Decimal, lines: Sequence[tuple[OpenInvoice, Decimal]], tol: Tolerance
                   ) -> tuple[list[Allocation], Decimal, bool, str]:
    """Spread `amount` as a remittance advice says (each invoice its line's amount, at most its open
    amount); lines that settle their invoices whole go through `allocate` (fees, credit)."""
    invoices = [inv for inv, _ in lines]
    if all(line == inv.open or tol.allows(inv.open, inv.open - line) for inv, line in lines):
        return allocate(amount, invoices, tol)
    said = sum((min(line, inv.open) for inv, line in lines), ZERO)
    allocs, left = [], amount
    for inv, line in lines:
        part = min(left, line, inv.open)
        if part > 0:
            allocs.append(Allocation(inv.id, inv.number, part))
            left -= part
    agrees = amount == said or tol.allows(said, said - amount)
    return allocs, max(left, ZERO), agrees, f"as advised: {said!s} for {len(lines)} invoice(s)"


