"""Identifiers that carry a check digit (GLN, CNPJ, CPF, VAT, IBAN), checked with python-stdnum when
they are entered: a typo is refused at once instead of matching no document later."""

from __future__ import annotations

import re
from typing import Any

from stdnum import ean, iban
from stdnum.br import cnpj, cpf
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import get_cc_module

NAMES = {"gln": "GLN (13 digits, the last a GS1 check digit)", "cnpj": "CNPJ (14 digits, 2 check digits)",
         "cpf": "CPF (11 digits, 2 check digits)", "vat": "VAT number (country prefix, then the number)",
         "iban": "IBAN (country, 2 check digits, account)"}
_IBAN_LIKE = re.compile(r"^[A-Z]{2}[0-9]{2}[0-9A-Z]{8,}$")
_VALIDATORS: dict[str, Any] = {"gln": ean, "cnpj": cnpj, "cpf": cpf, "iban": iban}


def checked_scheme(scheme: str, qualifier: str = "") -> str | None:
    """The numbering whose check digits apply to an identifier: an EDI id with UNB qualifier 14 is a
    GLN; None for schemes without check digits (edi otherwise, duns, ...)."""
    if scheme == "edi":
        return "gln" if qualifier == "14" else None
    return scheme if scheme in (*_VALIDATORS, "vat") else None


def problem(scheme: str, value: str, qualifier: str = "") -> str | None:
    """Why the value is not a valid identifier of its scheme (naming the scheme and the fix), or None."""
    numbering = checked_scheme(scheme, qualifier)
    if numbering is None:
        return None
    module = _VALIDATORS.get(numbering) or _vat_module(value)
    if module is None:
        return None  # a VAT number of a country stdnum does not know: nothing to check it against
    try:
        module.validate(value)
    except StdnumError as exc:
        what = f"{scheme}:{value}" + (f" (qualifier {qualifier})" if qualifier else "")
        return (f"{what} is not a valid {NAMES[numbering]}: {_reason(exc)}; "
                "correct the number")
    return None


def _vat_module(value: str) -> Any:
    compact = re.sub(r"[^0-9A-Za-z]", "", value).upper()
    if len(compact) < 3 or not compact[:2].isalpha():
        return _MISSING_PREFIX
    country = {"EL": "gr", "XI": "gb"}.get(compact[:2], compact[:2].lower())
    try:
        return get_cc_module(country, "vat")
    except ImportError:
        return None


def iban_problem(account: str) -> str | None:
    """Why an account that looks like an IBAN is not one (other account formats pass), or None."""
    compact = re.sub(r"\s", "", account).upper()
    if not _IBAN_LIKE.match(compact):
        return None
    try:
        iban.validate(compact)
    except StdnumError as exc:
        return f"{account} is not a valid {NAMES['iban']}: {_reason(exc)}; correct it"
    return None


GTIN_LENGTHS = (8, 12, 13, 14)  # GTIN-8, UPC (GTIN-12), EAN (GTIN-13), GTIN-14


def gs1_check_digit(body: str) -> str:
    """The GS1 (mod 10) check digit of the digits before it: weights 3, 1, 3, ... from the right.

    The same figure as `stdnum.ean.calc_check_digit` (a test holds them equal), about ten times
    cheaper: every line of every order carries a GTIN, and this runs for each of them."""
    total = 3 * sum(map(int, body[::-2])) + sum(map(int, body[-2::-2]))
    return str(-total % 10)


def gtin_problem(value: str) -> str | None:
    """Why an item number sent as a GTIN is not one (its length, or the GS1 check digit its first
    digits give), or None. Partners send internal numbers as item ids: the caller warns, not refuses."""
    if not value.isdigit() or len(value) not in GTIN_LENGTHS:
        return f"{value} is not a GTIN (8, 12, 13 or 14 digits)"
    expected = gs1_check_digit(value[:-1])
    if value[-1] != expected:
        return f"{value} is not a valid GTIN: its GS1 check digit is {value[-1]}, {expected} by the digits " \
               "before it"
    return None


class _MissingPrefix:
    @staticmethod
    def validate(value: str) -> None:
        raise StdnumError("a VAT number starts with its country code (e.g. NL, DE, BE)")


_MISSING_PREFIX = _MissingPrefix()


def _reason(exc: StdnumError) -> str:
    text = str(exc).rstrip(".")
    return text[:1].lower() + text[1:]
