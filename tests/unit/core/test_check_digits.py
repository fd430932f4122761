"""Identifiers with check digits are checked when entered; other identifiers pass as they are."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import ean

from hub.domain.check_digits import gs1_check_digit, gtin_problem, iban_problem, problem


@pytest.mark.parametrize(("scheme", "value", "qualifier"), [
    ("edi", "5412345000013", "14"), ("gln", "5790000435975", ""), ("cnpj", "11.222.333/0001-81", ""),
    ("cpf", "123.456.789-09", ""), ("vat", "BE0123456749", ""), ("vat", "DE123456788", ""),
    ("edi", "ACME-EDI", "ZZ"), ("edi", "5412345000014", ""), ("duns", "123", ""),
])
def test_valid_or_unchecked_identifiers_pass(scheme: str, value: str, qualifier: str) -> None:
    assert problem(scheme, value, qualifier) is None


@pytest.mark.parametrize(("scheme", "value", "qualifier", "named"), [
    ("edi", "5412345000014", "14", "GLN"), ("gln", "541234500001", "", "GLN"),
    ("cnpj", "11222333000182", "", "CNPJ"), ("cpf", "12345678900", "", "CPF"),
    ("vat", "DE123456789", "", "VAT"), ("vat", "123456789", "", "country code"),
])
def test_a_wrong_check_digit_is_named_with_its_scheme(scheme: str, value: str, qualifier: str,
                                                      named: str) -> None:
    found = problem(scheme, value, qualifier)
    assert found is not None and named in found and value in found and "correct" in found


@given(st.from_regex(r"[0-9]{12}", fullmatch=True))
def test_exactly_one_check_digit_makes_a_gln(body: str) -> None:
    right = ean.calc_check_digit(body)
    for digit in "0123456789":
        assert (problem("gln", body + digit) is None) == (digit == right)


def test_only_accounts_shaped_like_an_iban_are_checked() -> None:
    assert iban_problem("NL91 ABNA 0417 1643 00") is None
    assert iban_problem("0001-123456-7") is None  # a Brazilian agency and account: no IBAN
    found = iban_problem("NL91ABNA0417164301")
    assert found is not None and "IBAN" in found


@given(st.text(alphabet="0123456789", min_size=1, max_size=17))
def test_gs1_check_digit_is_the_standard_one(body: str) -> None:
    assert gs1_check_digit(body) == ean.calc_check_digit(body)


def test_gtin_problem_names_the_expected_check_digit() -> None:
    assert gtin_problem("5410000100016") is None
    assert "check digit is 2, 6 by the digits before it" in (gtin_problem("5410000100012") or "")
    assert "not a GTIN" in (gtin_problem("ABC-1") or "")
    assert "not a GTIN" in (gtin_problem("541000") or "")
