"""The matching rules, in pure Python: each proposes candidates with signals and reasons; `decide` runs
them in their configured order and makes a match automatically only when it is beyond doubt."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from hub.reconciliation.domain import (
    AMOUNT,
    AMOUNT_WITHIN_TOLERANCE,
    PAYER,
    REFERENCE,
    REMITTANCE,
    WEIGHTS,
    ZERO,
    Allocation,
    Candidate,
    Config,
    Decision,
    Index,
    OpenInvoice,
    Payment,
    Remittance,
    Tolerance,
    allocate,
    allocate_lines,
    figures,
    normalise,
    open_total,
    rf_reference,
    tokens,
)

# --- the rules ------------------------------------------------------------------------------------

def _candidate(rule: str, p: Payment, invoices: list[OpenInvoice], tol: Tolerance, signals: set[str],
               reasons: list[str], *, lines: Sequence[tuple[OpenInvoice, Decimal]] | None = None,
               count_amount: bool = True, deducted: Sequence[tuple[OpenInvoice, Decimal]] = ()) -> Candidate:
    """A candidate with its allocations, signals, reasons, figures and score; `signals` is the
    caller's own new set (added to, not copied: a run makes 110,000 candidates). `deducted`: credit
    notes and the amounts the payer took off (a remittance advice's): the invoices take the payment
    and those amounts together, each credit note a negative allocation after theirs."""
    total = open_total(invoices)
    amount = p.amount
    if deducted:
        amount += sum((used for _, used in deducted), ZERO)
    allocs, credit, agrees, how = (allocate_lines(amount, lines, tol) if lines is not None
                                   else allocate(amount, invoices, tol, total))
    if agrees and count_amount:
        signals.add(AMOUNT)
    if deducted:
        how += " with " + " + ".join([f"credit note {note.number} {used!s}" for note, used in deducted]) + \
            " deducted"
        if allocs:  # the credit notes go with what they pay, never alone
            allocs += [Allocation(note.id, note.number, -used) for note, used in deducted]
    reasons = [*reasons, f"amount {p.amount!s} {p.currency} against {_open_text(invoices)} open: {how}"]
    conflict = None
    payer = p.payer_id
    several = _several_partners(invoices)
    if payer is not None:
        if invoices and not several and invoices[0].partner_id == payer:
            signals.add(PAYER)
            reasons.append(p.payer_reason or "the payer is the invoices' buyer")
        else:
            conflict = "the payer is another partner than the invoices' buyer"
            reasons.append(conflict)
    if several:
        conflict = "the invoices belong to several partners"
        reasons.append(conflict)
    shown = figures(p, invoices, tol, how, total)
    if deducted:
        shown["credit_notes"] = {note.number: str(used) for note, used in deducted}
    return Candidate(rule, allocs, signals, reasons, shown, credit, conflict, None,
                     _weigh(signals, credit, allocs, conflict))


def _several_partners(invoices: Sequence[OpenInvoice]) -> bool:
    if len(invoices) < 2:
        return False
    first = invoices[0].partner_id
    return any(inv.partner_id != first for inv in invoices)


def _open_text(invoices: Sequence[OpenInvoice]) -> str:
    if len(invoices) == 1:
        inv = invoices[0]
        return f"{inv.number} {inv.open!s}"
    return " + ".join([f"{i.number} {i.open!s}" for i in invoices]) or "nothing"


def _by_reference(p: Payment, ix: Index) -> tuple[dict[int, str], list[str]]:
    found: dict[int, str] = {}
    notes: list[str] = []
    rf = None
    if p.structured or p.pix_txid or p.end_to_end_id:  # most payments quote no reference at all
        rf, why = rf_reference(p.structured)
        if why:
            notes.append(why)
        looks: list[tuple[str, str | None, str]] = [("rf", rf, "RF creditor reference")] if rf else []
        looks += [("pix", p.pix_txid, "Pix txid"), ("pix", p.end_to_end_id, "Pix end-to-end id")]
        if p.structured and not p.structured.upper().startswith("RF"):
            looks.append(("boleto", p.structured, "boleto number"))
        for kind, value, label in looks:
            invoice_id = ix.by_ref.get((kind, normalise(value))) if value else None
            if invoice_id is not None:
                found[invoice_id] = f"{label} {value} is invoice {ix.by_id[invoice_id].number}'s"
    by_number = ix.by_number
    named = (p.words if not rf else tokens(p.text)) & by_number.keys()  # the few tokens that are numbers
    for word in named:
        for invoice_id in by_number[word]:
            if invoice_id not in found:
                found[invoice_id] = (f"invoice number {ix.by_id[invoice_id].number} is a whole token of the "
                                     "payment's text")
    return found, notes


def _same_currency(p: Payment, ix: Index, ids: Iterable[int], notes: list[str]) -> list[OpenInvoice]:
    live = ix.live(ids)
    currency = p.currency
    if all(inv.currency == currency for inv in live):  # nearly always
        return live
    for inv in live:
        if inv.currency != currency:
            notes.append(f"invoice {inv.number} is in {inv.currency}, the payment in {currency}: "
                         "currencies are never mixed")
    return [inv for inv in live if inv.currency == currency]


def reference_rule(p: Payment, ix: Index, remits: Sequence[Remittance], tol: Tolerance) -> list[Candidate]:
    """Invoices named by a structured reference or by their number as a whole token."""
    found, notes = _by_reference(p, ix)
    if not found:  # a third of the payments name nothing
        return []
    invoices = _same_currency(p, ix, found, notes)
    if not invoices:
        return []
    why = [*notes, *(found[i.id] for i in invoices)]
    out = [_candidate("reference", p, invoices, tol, {REFERENCE}, why)]
    if 1 < len(invoices) <= 5:  # the text names several: maybe it pays only one of them
        out += [_candidate("reference", p, [i], tol, {REFERENCE}, [*notes, found[i.id]]) for i in invoices]
    return out


def remittance_rule(p: Payment, ix: Index, remits: Sequence[Remittance], tol: Tolerance
                    ) -> list[Candidate]:
    """The invoices and amounts a partner's remittance advice gives for this payment."""
    out = []
    for r in remits:
        notes: list[str] = []
        lines: list[tuple[OpenInvoice, Decimal]] = []
        deducted: list[tuple[OpenInvoice, Decimal]] = []  # credit notes the payer took off, how much
        refused: list[str] = []  # deductions our books cannot honour
        for number, amount in r.lines:
            if amount < ZERO:  # the payer took one of our credit notes off the payment
                deduction = _deduction(p, ix, r, number, -amount, deducted, refused)
                if deduction is not None:
                    deducted.append(deduction)
                continue
            ids = ix.by_number.get(normalise(number), [])
            live = [i for i in _same_currency(p, ix, ids, notes) if i.partner_id == r.partner_id]
            if live:
                lines.append((live[0], amount))
            else:
                notes.append(f"remittance {r.number} names {number}, which is not open")
        if not lines:
            continue
        if len({inv.id for inv, _ in lines}) < len(lines):  # an invoice named twice is paid once, the sum
            lines = _merged(lines)
            notes.append(f"remittance {r.number} names an invoice more than once: its amounts are added")
        signals = {REMITTANCE}
        named = [inv.number for inv, _ in lines if normalise(inv.number) in p.words]
        if named:
            signals.add(REFERENCE)
            notes.append(f"the payment's text names {', '.join(named)}")
        why = [f"remittance advice {r.number} names {len(lines)} invoice(s)", *notes]
        found = _candidate("remittance", p, [inv for inv, _ in lines], tol, signals, [*why, *refused],
                           lines=lines, deducted=deducted)
        found.figures["remittance"] = {"id": r.id, "number": r.number}
        if refused:  # the payer deducted credit our books do not have: never automatic
            found.doubt = refused[0]
        out.append(found)
    return out


def _merged(lines: list[tuple[OpenInvoice, Decimal]]) -> list[tuple[OpenInvoice, Decimal]]:
    """One line per invoice, in the order first named, its amounts added up."""
    summed: dict[int, tuple[OpenInvoice, Decimal]] = {}
    for inv, amount in lines:
        summed[inv.id] = (inv, summed[inv.id][1] + amount) if inv.id in summed else (inv, amount)
    return list(summed.values())


def _deduction(p: Payment, ix: Index, r: Remittance, number: str, amount: Decimal,
               before: Sequence[tuple[OpenInvoice, Decimal]], notes: list[str]
               ) -> tuple[OpenInvoice, Decimal] | None:
    """The credit note a remittance line deducts and how much of it is used: at most the credit it has
    left after the advice's lines `before` (a credit note named twice is not spent twice); None when the
    partner has no credit note of that number in the payment's currency with credit left. Either way
    a deduction our books cannot honour adds its reason to `notes`."""
    note = ix.credit_note(number, r.partner_id, p.currency)
    left = note.open - sum((used for other, used in before if other is note), ZERO) if note else ZERO
    if note is None or left <= ZERO:
        notes.append(f"remittance {r.number} deducts {number}, which is not a credit note of the partner's "
                     f"with credit left in {p.currency}")
        return None
    if amount > left:
        notes.append(f"remittance {r.number} deducts {amount!s} of credit note {note.number}, which has "
                     f"{left!s} left")
        return note, left
    return note, amount


def partner_amount_rule(p: Payment, ix: Index, remits: Sequence[Remittance], tol: Tolerance
                        ) -> list[Candidate]:
    """The payer's open invoices of exactly the amount (or the amount plus the bank's fees)."""
    if p.payer_id is None:
        return []
    by_partner_amount = ix.by_partner_amount
    ids = by_partner_amount.get((p.payer_id, p.currency, p.amount), ())
    if p.fees:  # the amount plus the fees too (no fees: the same amount)
        gross = p.amount + p.fees
        ids = {*ids, *by_partner_amount.get((p.payer_id, p.currency, gross), ())}
    invoices = ix.live(ids)
    if len(invoices) == 1:
        return [_candidate("partner_amount", p, invoices, tol, set(),
                           [f"the payer's only open invoice of {invoices[0].open!s} {p.currency}"])]
    why = f"the payer has {len(invoices)} open invoices of this amount: the amount cannot tell which"
    return [_candidate("partner_amount", p, [i], tol, set(), [why], count_amount=False) for i in invoices[:3]]


def amount_tolerance_rule(p: Payment, ix: Index, remits: Sequence[Remittance], tol: Tolerance
                          ) -> list[Candidate]:
    """The payer's open invoices whose open amount is within the tolerance, oldest due first."""
    if p.payer_id is None:
        return []
    near = [i for i in ix.live(ix.by_partner.get((p.payer_id, p.currency), ()))
            if i.open != p.amount and tol.allows(i.open, i.open - p.amount)]
    why = [f"{len(near)} open invoice(s) of the payer within the tolerance, oldest due first"]
    return [_candidate("amount_tolerance", p, [i], tol, set(), why, count_amount=len(near) == 1)
            for i in near[:3]]


def amount_only(p: Payment, ix: Index, tol: Tolerance) -> list[Candidate]:
    """For the exceptions queue only: open invoices of exactly the amount, whoever the buyer."""
    same = ix.by_amount.get((p.currency, p.amount), ())
    if len(same) > AMOUNT_ONLY_MOST:  # so common an amount says nothing
        return []
    invoices = ix.live(same)[:3]
    alone = len(invoices) == 1
    return [_candidate("amount", p, [i], tol, set(), ["only the amount agrees"], count_amount=alone)
            for i in invoices]


AMOUNT_ONLY_MOST = 20

RULES = {"reference": reference_rule, "remittance": remittance_rule,
         "partner_amount": partner_amount_rule, "amount_tolerance": amount_tolerance_rule}
SUGGESTIONS = 3


def score(c: Candidate) -> int:
    """The sum of the agreeing signals' weights; fees or credit within tolerance weigh the amount less;
    a contradiction costs as much as a payer agreeing gives."""
    return _weigh(c.signals, c.credit, c.allocations, c.conflict)


def _weigh(signals: set[str], credit: Decimal, allocations: Sequence[Allocation], conflict: str | None
           ) -> int:
    total = 0
    for s in signals:
        total += WEIGHTS[s]
    if AMOUNT in signals and (credit > ZERO or _writes_off(allocations)):
        total -= WEIGHTS[AMOUNT] - AMOUNT_WITHIN_TOLERANCE
    return total - (WEIGHTS[PAYER] if conflict else 0)


def _writes_off(allocations: Sequence[Allocation]) -> bool:
    for a in allocations:  # noqa: SIM110 - any() of a generator costs three times as much (80,000 calls)
        if a.write_off:
            return True
    return False


def _doubt_overpayment(c: Candidate, ix: Index) -> None:
    """An overpayment while its partner has other open invoices may pay those too: a person decides."""
    if c.credit <= ZERO or AMOUNT in c.signals or not c.allocations:
        return
    by_id = ix.by_id
    first = by_id[c.allocations[0].invoice_id]
    group = (first.partner_id, first.currency)
    # the partner's other open invoices, counted (`live` over all of them cost 0.2 s a run)
    mine = {inv.id for a in c.allocations if (inv := by_id.get(a.invoice_id)) is not None  # not a credit note
            and inv.partner_id == group[0] and inv.currency == group[1] and inv.open > ZERO}
    others = ix.open_count.get(group, 0) - len(mine)
    if others:
        c.doubt = (f"overpaid by {c.credit!s} while the partner has {others} other open invoice(s) in "
                   f"{first.currency}: the rest may pay them")
        c.reasons.append(c.doubt)


def _able(c: Candidate, threshold: int) -> bool:
    return bool(c.allocations) and not c.conflict and not c.doubt and len(c.signals) >= 2 \
        and c.score >= threshold


def automatic(candidates: Sequence[Candidate], threshold: int) -> Candidate | None:
    """The one candidate made automatically: above the threshold, two signals, no contradiction, and
    no other candidate just as good."""
    if len(candidates) == 1:  # the common case: no rival
        return candidates[0] if _able(candidates[0], threshold) else None
    able = [c for c in candidates if _able(c, threshold)]
    if len(able) < 2:
        return able[0] if able else None
    best = max(able, key=lambda c: c.score)
    rivals = [c for c in able if c.score == best.score and c.key() != best.key()]
    return None if rivals else best


class Decider:
    """`decide` for one configuration: its rules in order and its tolerances looked up once, not for
    each of a run's 100,000 payments."""

    def __init__(self, config: Config) -> None:
        self.steps = tuple((finder, rule.threshold) for rule in config.ordered()
                           if (finder := RULES.get(rule.name)) is not None)  # credit: not a payment rule
        self.config = config
        self.tolerances: dict[str, Tolerance] = {}

    def __call__(self, p: Payment, ix: Index, remits: Sequence[Remittance]) -> Decision:
        """Run the rules in order: the first automatic match wins; otherwise the best suggestions."""
        if p.reversal or p.amount <= ZERO:
            return Decision(p, None, [], note="a reversal or an outgoing amount: a person decides")
        tol = self.tolerances.get(p.currency)
        if tol is None:
            tol = self.tolerances[p.currency] = self.config.tolerance(p.currency)
        pool: list[Candidate] = []
        for finder, threshold in self.steps:
            found = finder(p, ix, remits, tol)
            if not found:
                continue
            for c in found:
                if c.credit > ZERO:
                    _doubt_overpayment(c, ix)
            chosen = None if p.undone_before else automatic(found, threshold)
            if chosen is not None:
                return Decision(p, chosen, [])
            pool += found
        pool += amount_only(p, ix, tol)
        best: dict[tuple[int, ...], Candidate] = {}
        for c in sorted(pool, key=lambda c: -c.score):
            if c.allocations:
                best.setdefault(c.key(), c)
        note = "a person undid an earlier match: suggestions only" if p.undone_before else None
        return Decision(p, None, list(best.values())[:SUGGESTIONS], note=note)


def decide(p: Payment, ix: Index, remits: Sequence[Remittance], config: Config) -> Decision:
    """Run the rules in order: the first automatic match wins; otherwise the best suggestions."""
    return Decider(config)(p, ix, remits)
