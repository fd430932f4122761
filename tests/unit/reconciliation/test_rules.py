"""The matching rules in pure Python: whole tokens only, checked RF references, the tolerance, allocation,
and automatic matches only with two agreeing signals past the threshold."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import example, given
from hypothesis import strategies as st

from hub.reconciliation.domain import (
    AMOUNT,
    PAYER,
    REFERENCE,
    Allocation,
    Config,
    Index,
    OpenInvoice,
    Payment,
    Remittance,
    Tolerance,
    allocate,
    rf_reference,
    tokens,
)
from hub.reconciliation.rules import decide

D = Decimal


def _invoice(n: int, amount: str, partner: int = 1, currency: str = "EUR", due: int = 1) -> OpenInvoice:
    return OpenInvoice(n, f"INV-2026-{n:06d}", partner, currency, D(amount), D(0), date(2026, 6, due))


def _pay(amount: str, text: str = "", *, payer: int | None = None, currency: str = "EUR", **kw: object
         ) -> Payment:
    return Payment(1, "E1", D(amount), currency, date(2026, 6, 1), text=text, payer_id=payer,
                   payer_reason="known IBAN" if payer else None, **kw)  # type: ignore[arg-type]


def test_tokens_are_whole_and_normalised_never_digit_fragments():
    assert "INV2026000001" in tokens("Payment inv-2026/000001, thanks")
    assert "INV2026000001" in tokens("INV 2026 000001")  # written apart, joined
    found = tokens("a34bc3xxx1 cxxx343y1")
    assert "3431" not in found and "343" not in found and "A34BC3XXX1" in found


@given(st.text(max_size=60))
def test_a_token_is_never_a_fragment_of_what_was_written(text: str):
    joined = "".join(ch for ch in text.upper() if ch.isascii() and ch.isalnum())
    for token in tokens(text):
        assert token in joined


def test_rf_references_count_only_with_their_iso_11649_check_digits():
    assert rf_reference("RF18 5390 0754 7034") == ("RF18539007547034", None)
    assert rf_reference("RF19539007547034")[0] is None
    assert "check digits" in (rf_reference("RF19539007547034")[1] or "")
    assert rf_reference("INV-1") == (None, None)


def test_the_tolerance_needs_both_its_absolute_and_percent_limits():
    tol = Tolerance(D("5.00"), D("2"))
    assert tol.allows(D("500.00"), D("1.50")) and tol.allows(D("500.00"), D("-5.00"))
    assert not tol.allows(D("100.00"), D("3.00"))  # 3 % of 100
    assert not tol.allows(D("1000.00"), D("6.00"))  # more than 5.00


def test_allocation_writes_off_fees_keeps_overpayment_as_credit_and_pays_oldest_first():
    tol = Tolerance(D("5.00"), D("2"))
    fees, credit, agrees, _ = allocate(D("498.50"), [_invoice(1, "500.00")], tol)
    assert [(a.amount, a.write_off) for a in fees] == [(D("498.50"), D("1.50"))] and agrees and credit == 0
    over, credit, agrees, _ = allocate(D("750.00"), [_invoice(1, "700.00")], tol)
    assert [a.amount for a in over] == [D("700.00")] and credit == D("50.00") and not agrees
    older, newer = _invoice(1, "100.00", due=1), _invoice(2, "100.00", due=9)
    part, credit, agrees, _ = allocate(D("150.00"), [older, newer], tol)
    assert [(a.invoice_id, a.amount) for a in part] == [(1, D("100.00")), (2, D("50.00"))] and not agrees


def test_number_and_amount_make_an_automatic_match_with_its_reasons():
    ix = Index([_invoice(1, "100.00"), _invoice(2, "100.00")])
    decision = decide(_pay("100.00", "paying INV-2026-000001"), ix, [], Config())
    assert decision.match is not None and decision.match.signals == {REFERENCE, AMOUNT}
    assert [a.invoice_id for a in decision.match.allocations] == [1]
    assert any("whole token" in r for r in decision.match.reasons)


def test_a_reference_alone_or_a_near_miss_is_never_automatic():
    ix = Index([_invoice(1, "100.00")])
    partial = decide(_pay("40.00", "INV-2026-000001"), ix, [], Config())
    assert partial.match is None and partial.suggestions[0].signals == {REFERENCE}
    near = decide(_pay("100.00", "INV-2026-000011"), ix, [], Config())
    assert near.match is None and [c.signals for c in near.suggestions] == [{AMOUNT}]


def test_partner_and_amount_count_as_two_only_for_the_partners_single_invoice_of_that_amount():
    single = decide(_pay("100.00", payer=1), Index([_invoice(1, "100.00"), _invoice(2, "80.00")]), [],
                    Config())
    assert single.match is not None and single.match.signals == {PAYER, AMOUNT}
    twins = decide(_pay("100.00", payer=1), Index([_invoice(1, "100.00"), _invoice(2, "100.00")]), [],
                   Config())
    assert twins.match is None and len(twins.suggestions) == 2
    assert all(AMOUNT not in c.signals for c in twins.suggestions)


def test_currencies_are_never_mixed():
    decision = decide(_pay("100.00", "INV-2026-000001", currency="USD", payer=1),
                      Index([_invoice(1, "100.00")]), [], Config())
    assert decision.match is None and decision.suggestions == []


def test_a_payer_contradicting_the_reference_blocks_the_match():
    decision = decide(_pay("100.00", "INV-2026-000001", payer=2), Index([_invoice(1, "100.00")]), [],
                      Config())
    assert decision.match is None and decision.suggestions[0].conflict


def test_a_remittance_advice_spreads_one_payment_over_its_invoices():
    ix = Index([_invoice(1, "100.00"), _invoice(2, "200.00"), _invoice(3, "300.00")])
    advice = Remittance(9, 1, "RA-9", "EUR", D("600.00"), (("INV-2026-000001", D("100.00")),
                                                          ("INV-2026-000002", D("200.00")),
                                                          ("INV-2026-000003", D("300.00"))))
    decision = decide(_pay("600.00", payer=1), ix, [advice], Config())
    assert decision.match is not None and decision.match.rule == "remittance"
    assert [a.amount for a in decision.match.allocations] == [D("100.00"), D("200.00"), D("300.00")]


def _credit_note(n: int, amount: str, partner: int = 1, currency: str = "EUR", used: str = "0"
                 ) -> OpenInvoice:
    return OpenInvoice(n, f"CN-2026-{n:06d}", partner, currency, D(amount), D(used), None)


def _deducting(*lines: tuple[str, str], total: str, partner: int = 1) -> Remittance:
    return Remittance(9, partner, "RA-9", "EUR", D(total), tuple((n, D(a)) for n, a in lines))


def test_a_remittance_advice_deducting_a_credit_note_matches_the_invoice_it_pays_with_it():
    """900.00 paid for a 1,000.00 invoice less credit note CN 100.00: the invoice takes the payment and
    the credit together (paid whole), the credit note is used by 100.00, nothing is left over."""
    ix = Index([_invoice(1, "1000.00")], credit_notes=[_credit_note(51, "100.00")])
    advice = _deducting(("INV-2026-000001", "1000.00"), ("CN-2026-000051", "-100.00"), total="900.00")
    decision = decide(_pay("900.00", payer=1), ix, [advice], Config())
    match = decision.match
    assert match is not None and match.rule == "remittance" and AMOUNT in match.signals
    assert match.allocations == [Allocation(1, "INV-2026-000001", D("1000.00")),
                                 Allocation(51, "CN-2026-000051", D("-100.00"))]
    assert match.credit == 0 and match.figures["credit_notes"] == {"CN-2026-000051": "100.00"}
    assert "credit note CN-2026-000051 100.00 deducted" in " ".join(match.reasons)
    ix.settle(match.allocations)
    assert ix.by_id[1].open == 0 and ix.credit_notes[51].open == 0
    again = decide(_pay("900.00", payer=1), Index([_invoice(2, "1000.00")], credit_notes=[
        ix.credit_notes[51]]), [_deducting(("INV-2026-000002", "1000.00"), ("CN-2026-000051", "-100.00"),
                                           total="900.00")], Config())
    assert again.match is None  # the credit note is used up: the amounts no longer agree
    assert "which is not a credit note of the partner's with credit left in EUR" in " ".join(
        again.suggestions[0].reasons)


def test_a_deduction_a_credit_note_cannot_cover_is_only_suggested():
    """More than the credit note has left, another partner's credit note, one in another currency, or a
    number that is no credit note: the amounts disagree, a person decides, the reasons say why."""
    for notes, why in (([_credit_note(51, "100.00", used="40.00")], "which has 60.00 left"),
                       ([_credit_note(51, "100.00", partner=2)], "not a credit note of the partner's"),
                       ([_credit_note(51, "100.00", currency="USD")], "not a credit note of the partner's"),
                       ([], "not a credit note of the partner's")):
        ix = Index([_invoice(1, "1000.00")], credit_notes=notes)
        advice = _deducting(("INV-2026-000001", "1000.00"), ("CN-2026-000051", "-100.00"), total="900.00")
        decision = decide(_pay("900.00", payer=1), ix, [advice], Config())
        assert decision.match is None, why
        assert why in " ".join(decision.suggestions[0].reasons)


def test_an_invoice_an_advice_names_twice_is_paid_once_with_the_sum():
    """600.00 twice against 1,000.00 open: 1,000.00 paid, 200.00 left as the partner's credit (never
    1,200.00 on the invoice); 500.00 twice: the invoice settled exactly."""
    ix = Index([_invoice(1, "1000.00")])
    over = decide(_pay("1200.00", payer=1), ix, [_deducting(("INV-2026-000001", "600.00"),
                                                            ("INV-2026-000001", "600.00"), total="1200.00")],
                  Config())
    candidate = over.match or over.suggestions[0]
    assert candidate.allocations == [Allocation(1, "INV-2026-000001", D("1000.00"))]
    assert candidate.credit == D("200.00")
    assert "names an invoice more than once" in " ".join(candidate.reasons)
    exact = decide(_pay("1000.00", payer=1), ix, [_deducting(("INV-2026-000001", "500.00"),
                                                             ("INV-2026-000001", "500.00"), total="1000.00")],
                   Config())
    assert exact.match is not None
    assert exact.match.allocations == [Allocation(1, "INV-2026-000001", D("1000.00"))]


def test_deductions_with_bank_fees_and_several_invoices():
    """Two invoices less two credit notes, 1.50 short by the bank's fees: all settled, the fee written
    off, both credit notes used whole."""
    ix = Index([_invoice(1, "1000.00"), _invoice(2, "250.00")],
               credit_notes=[_credit_note(51, "100.00"), _credit_note(52, "50.00")])
    advice = _deducting(("INV-2026-000001", "1000.00"), ("CN-2026-000051", "-100.00"),
                        ("INV-2026-000002", "250.00"), ("CN-2026-000052", "-50.00"), total="1100.00")
    decision = decide(_pay("1098.50", payer=1), ix, [advice], Config())
    match = decision.match
    assert match is not None
    assert [(a.invoice_id, a.amount, a.write_off) for a in match.allocations] == [
        (1, D("1000.00"), D(0)), (2, D("248.50"), D("1.50")), (51, D("-100.00"), D(0)),
        (52, D("-50.00"), D(0))]
    assert sum(a.amount for a in match.allocations) == D("1098.50")


def test_an_overpayment_is_left_to_a_person_while_its_partner_has_other_open_invoices():
    ix = Index([_invoice(1, "100.00"), _invoice(2, "50.00"), _invoice(3, "70.00"), _invoice(4, "80.00", 2)])
    doubted = decide(_pay("120.00", "INV-2026-000001", payer=1), ix, [], Config())
    assert doubted.match is None and doubted.suggestions[0].credit == D("20.00")
    assert "the partner has 2 other open invoice(s) in EUR" in (doubted.suggestions[0].doubt or "")
    ix.settle([Allocation(2, "INV-2026-000002", D("50.00")), Allocation(3, "INV-2026-000003", D("30.00"))])
    still = decide(_pay("120.00", "INV-2026-000001", payer=1), ix, [], Config())
    assert "the partner has 1 other open invoice(s)" in (still.suggestions[0].doubt or "")
    ix.settle([Allocation(3, "INV-2026-000003", D("40.00"))])  # paid: the partner has no other open
    alone = decide(_pay("120.00", "INV-2026-000001", payer=1), ix, [], Config())
    assert alone.match is not None and alone.match.credit == D("20.00") and alone.match.doubt is None


def test_a_reversal_is_left_to_a_person_and_a_disabled_rule_does_not_run():
    ix = Index([_invoice(1, "100.00")])
    assert decide(_pay("-100.00", "INV-2026-000001", reversal=True), ix, [], Config()).match is None
    only_amount = Config(rules=tuple(r for r in Config().rules if r.name != "reference"))
    assert decide(_pay("100.00", "INV-2026-000001"), ix, [], only_amount).match is None


money = st.integers(min_value=1, max_value=10**7).map(lambda cents: D(cents) / 100)


@given(money, st.lists(money, min_size=1, max_size=4))
@example(D("99.00"), [D("100.00"), D("0.50")])  # fees larger than the last invoice
def test_an_allocation_never_loses_or_invents_money(amount: Decimal, opens: list[Decimal]):
    tol = Tolerance(D("5.00"), D("2"))
    invoices = [_invoice(n, str(o), due=n) for n, o in enumerate(opens, 1)]
    allocs, credit, _, _ = allocate(amount, invoices, tol)
    paid = sum((a.amount for a in allocs), D(0))
    assert paid + credit == amount  # every cent of the payment is on an invoice or is credit
    for a in allocs:
        inv = next(i for i in invoices if i.id == a.invoice_id)
        assert a.amount >= 0 and a.write_off >= 0
        assert 0 < a.amount + a.write_off <= inv.open  # never more than an invoice has open
    written = sum((a.write_off for a in allocs), D(0))
    assert written == 0 or tol.allows(sum(opens, D(0)), written)  # fees only within the tolerance


@given(st.lists(money, min_size=1, max_size=3), st.lists(st.tuples(money, money), max_size=3),
       st.lists(st.integers(min_value=0, max_value=9), max_size=3), money)
@example([D("1000.00")], [(D("100.00"), D("100.00"))], [0], D("900.00"))
@example([D("1000.00")], [(D("60.00"), D("100.00"))], [0], D("900.00"))  # more than the credit note has
@example([D("1000.00")], [(D("100.00"), D("100.00"))], [0, 0], D("800.00"))  # the same credit note twice
def test_a_remittance_deducting_credit_notes_never_loses_or_invents_money(
        opens: list[Decimal], notes: list[tuple[Decimal, Decimal]], named: list[int], amount: Decimal):
    """Whatever the advice deducts (credit notes with any credit left, some it names twice, some it
    does not have): every candidate's allocations and credit add up to the payment, an invoice never
    takes more than it has open, a credit note never gives more than it has left, and one deducting
    what the books do not have is never automatic."""
    invoices = [_invoice(n, str(o), due=n) for n, o in enumerate(opens, 1)]
    credit_notes = [_credit_note(50 + n, str(left), used="0") for n, (left, _) in enumerate(notes)]
    lines = [(inv.number, inv.open) for inv in invoices]
    lines += [(f"CN-2026-{50 + n:06d}", -notes[n][1] if n < len(notes) else D("-5.00")) for n in named]
    advice = _deducting(*((number, str(a)) for number, a in lines), total=str(amount))
    ix = Index(invoices, credit_notes=credit_notes)
    decision = decide(_pay(str(amount), payer=1), ix, [advice], Config())
    for c in [decision.match, *decision.suggestions]:
        if c is None or c.rule != "remittance":
            continue
        assert sum((a.amount for a in c.allocations), D(0)) + c.credit == amount
        for a in c.allocations:
            if a.amount < 0:
                assert -a.amount <= ix.credit_notes[a.invoice_id].open
            else:
                assert 0 < a.amount + a.write_off <= ix.by_id[a.invoice_id].open
        used: dict[int, Decimal] = {}
        for a in c.allocations:
            if a.amount < 0:
                used[a.invoice_id] = used.get(a.invoice_id, D(0)) - a.amount
        overdrawn = any(v > ix.credit_notes[k].open for k, v in used.items())
        asked = {n: sum(-a for number, a in lines if a < 0 and number == f"CN-2026-{n:06d}")
                 for n in ix.credit_notes}
        if overdrawn or any(n >= len(notes) for n in named) or any(
                asked[k] > ix.credit_notes[k].open for k in asked):
            assert c is not decision.match, c.reasons
