"""Payment means of an invoice: RF creditor references (ISO 11649), boleto lines, the request's choice
and the payment instructions built for a numbered invoice.

RF18539007547034 is the example of ISO 11649 itself; python-stdnum's `iso11649` is the independent
check of the references generated here. The boleto line 02192.14871 80500.001229 23334.021815 7
59470000295295 is the expected line of a Banestes boleto in Boleto.Net's tests.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from hub.domain.errors import ValidationError
from hub.invoicing import pix
from hub.invoicing.payment_means import (
    MeansChoice,
    Payee,
    check_boleto,
    instructions,
    is_rf_reference,
    read_choice,
    rf_reference,
)

BOLETO = "02192.14871 80500.001229 23334.021815 7 59470000295295"
BR = Payee("Ponte Brasil Ltda", "BR", "Sao Paulo", "BR1800360305000010009795493C1", None,
           "123e4567-e12b-12d1-a456-426655440000")
BE = Payee("Ponte Seller SA", "BE", "Brussels", "BE71096123456769", "GEBABEBB")


def test_the_iso_11649_example_checks_and_is_generated_from_its_reference():
    assert is_rf_reference("RF18 5390 0754 7034") and rf_reference("539007547034") == "RF18539007547034"


@pytest.mark.parametrize("number", ["INV-2026-000001", "CN-2026-000017", "nf-e 000.123.456", "1",
                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ-2026"])
def test_references_from_invoice_numbers_pass_the_independent_check(number: str):
    reference = rf_reference(number)
    assert iso11649.is_valid(reference) and is_rf_reference(reference) and len(reference) <= 25


@pytest.mark.parametrize("bad", ["RF19539007547034", "RF18539007547035", "RF1853900754703",
                                 "XX18539007547034", "RF18" + "1" * 22, "RF18-5390", ""])
def test_a_wrong_rf_reference_is_refused(bad: str):
    assert not is_rf_reference(bad)


@given(st.from_regex(r"[A-Z0-9]{1,21}", fullmatch=True))
def test_every_generated_reference_checks(body: str):
    assert iso11649.is_valid(rf_reference(body))


def test_a_published_boleto_line_checks_and_is_kept_as_digits():
    assert check_boleto(BOLETO) == "02192148718050000122923334021815759470000295295"


@pytest.mark.parametrize(("line", "message"), [
    (BOLETO.replace("7 5947", "8 5947"), "general check digit \\(position 33\\)"),
    (BOLETO.replace("14871", "14872"), "field 1 check digit \\(position 10\\)"),
    (BOLETO.replace("001229", "001228"), "field 2 check digit \\(position 21\\)"),
    (BOLETO.replace("021815", "021816"), "field 3 check digit \\(position 32\\)"),
    (BOLETO[:-1], "47 digits"),
])
def test_a_boleto_line_with_a_wrong_digit_names_the_field(line: str, message: str):
    with pytest.raises(ValueError, match=message):
        check_boleto(line)


def test_the_company_decides_by_default():
    assert read_choice({}, BE, "EUR").means == ("credit_transfer",)
    assert read_choice({}, BR, "BRL").means == ("credit_transfer", "pix")
    assert read_choice({}, BR, "USD").means == ("credit_transfer",)


@pytest.mark.parametrize(("body", "payee", "currency", "element"), [
    ({"payment_means": ["cash"]}, BE, "EUR", "payment_means[0]"),
    ({"payment_means": "pix"}, BE, "EUR", "payment_means"),
    ({"payment_means": ["pix"]}, BE, "EUR", "payment_means"),
    ({"payment_means": ["pix"]}, BR, "EUR", "payment_means"),
    ({"payment_means": ["boleto"]}, BR, "BRL", "boleto"),
    ({"payment_means": ["boleto"], "boleto": BOLETO[:-1] + "6"}, BR, "BRL", "boleto"),
    ({"payment_means": ["direct_debit"], "direct_debit": {"mandate": "M-1",
                                                          "creditor_id": "BE68ZZZ0123456789"}},
     BE, "EUR", "direct_debit.debtor_iban"),
    ({"payment_means": ["direct_debit"], "direct_debit": {"mandate": "M-1", "creditor_id": "X",
                                                          "debtor_iban": "DE89370400440532013001"}},
     BE, "EUR", "direct_debit.debtor_iban"),
    ({"payment_means": ["pix", "boleto"], "boleto": BOLETO}, BR, "BRL", "payment_means"),  # 30 and ZZZ
])
def test_a_bad_choice_names_its_field(body: dict, payee: Payee, currency: str, element: str):
    with pytest.raises(ValidationError) as refused:
        read_choice(body, payee, currency)
    assert element in [p.element for p in refused.value.problems]


def test_instructions_carry_the_references_reconciliation_matches():
    choice = MeansChoice(("credit_transfer", "pix", "boleto"), check_boleto(BOLETO))
    paying = instructions(choice, BR, "INV-2026-000007", Decimal("150.00"), "BRL", date(2026, 6, 3))
    assert paying.payment_reference == rf_reference("INV-2026-000007")
    assert paying.pix_txid == "INV2026000007" and paying.boleto_number == check_boleto(BOLETO)
    transfer, by_pix, boleto = paying.terms
    assert (transfer.means_code, transfer.account_id) == ("30", BR.iban)  # not SEPA: 30
    assert (by_pix.means_code, by_pix.means_text, by_pix.account_id) == ("30", "Pix", BR.pix_key)
    code = pix.decode(by_pix.instruction or "")
    assert (code.amount, code.txid, code.key) == (Decimal("150.00"), "INV2026000007", BR.pix_key)
    assert (boleto.means_code, boleto.means_text, boleto.payment_reference) == \
        ("ZZZ", "Boleto", paying.boleto_number)


def test_a_sepa_transfer_and_a_direct_debit():
    transfer, = instructions(read_choice({}, BE, "EUR"), BE, "INV-1", Decimal(10), "EUR", None).terms
    assert (transfer.means_code, transfer.bank_id) == ("58", "GEBABEBB")
    debit = {"mandate": "MANDATE-42", "creditor_id": "BE68ZZZ0123456789",
             "debtor_iban": "DE89 3704 0044 0532 0130 00"}
    choice = read_choice({"payment_means": ["direct_debit"], "direct_debit": debit}, BE, "EUR")
    by_debit, = instructions(choice, BE, "INV-1", Decimal(10), "EUR", None).terms
    assert (by_debit.means_code, by_debit.mandate_reference, by_debit.creditor_id, by_debit.account_id) == \
        ("59", "MANDATE-42", "BE68ZZZ0123456789", "DE89370400440532013000")


def test_no_means_asked_gives_no_instructions_but_a_reference():
    paying = instructions(MeansChoice(()), BE, "INV-1", Decimal(10), "EUR", None)
    assert paying.terms == [] and is_rf_reference(paying.payment_reference or "")
