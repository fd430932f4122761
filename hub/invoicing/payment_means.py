"""How an invoice asks to be paid: credit transfer, Brazilian Pix (key and BR Code), boleto, SEPA direct
debit, each with the structured reference reconciliation matches (RF creditor reference, ISO 11649).

Reading the request's choice, checking references (RF mod 97, the boleto's linha digitável mod 10 / mod
11) and building the payment instructions the renderers write. Pure: no framework imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError

from hub.domain.documents import PaymentTerms
from hub.domain.errors import Problem, ValidationError
from hub.invoicing import pix

MEANS = ("credit_transfer", "pix", "boleto", "direct_debit")
# Countries of the SEPA scheme: a credit transfer to an IBAN of these is UNCL 4461 58, else 30.
SEPA = frozenset({"AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GI",
                  "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MT", "NL", "NO", "PL",
                  "PT", "RO", "SE", "SI", "SK", "SM", "VA"})
RF_BODY = re.compile(r"[A-Z0-9]{1,21}")


def _letters_as_digits(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text))


def rf_reference(number: str) -> str:
    """The RF creditor reference (ISO 11649) of an invoice number: RF + 2 check digits + its letters and
    digits (the last 21 when longer): INV-2026-000001 -> RF47INV2026000001."""
    body = re.sub(r"[^A-Z0-9]", "", number.upper())[-21:]
    if not body:
        raise ValueError(f"{number!r} has no letters or digits for an RF reference")
    return f"RF{98 - _letters_as_digits(body + 'RF00') % 97:02d}{body}"


def is_rf_reference(value: str) -> bool:
    """Whether `value` (spaces allowed) is a well-formed RF reference whose mod 97 check holds."""
    text = value.replace(" ", "").upper()
    if not (text.startswith("RF") and text[2:4].isdigit() and RF_BODY.fullmatch(text[4:])):
        return False
    return _letters_as_digits(text[4:] + text[:4]) % 97 == 1


def _mod10(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        product = int(ch) * (2 if i % 2 == 0 else 1)
        total += product // 10 + product % 10
    return (10 - total % 10) % 10


def _mod11(digits: str) -> int:
    total = sum(int(ch) * (2 + i % 8) for i, ch in enumerate(reversed(digits)))
    check = 11 - total % 11
    return 1 if check in (0, 10, 11) else check


def check_boleto(value: str) -> str:
    """A bank boleto's 47-digit linha digitável (dots and spaces allowed), its three field digits (mod 10)
    and general digit (mod 11 over the bar code) checked; raises ValueError naming the failing field."""
    digits = re.sub(r"[.\s]", "", value)
    if not re.fullmatch(r"\d{47}", digits):
        raise ValueError("a linha digitável has 47 digits")
    for n, (start, end) in enumerate(((0, 9), (10, 20), (21, 31)), 1):
        if _mod10(digits[start:end]) != int(digits[end]):
            raise ValueError(f"field {n} check digit (position {end + 1}) is wrong")
    # the bar code without its general digit: bank and currency, due factor and value, the free field
    barcode = digits[0:4] + digits[33:47] + digits[4:9] + digits[10:20] + digits[21:31]
    if _mod11(barcode) != int(digits[32]):
        raise ValueError("the general check digit (position 33) is wrong")
    return digits


@dataclass(frozen=True)
class Payee:
    """What the issuing company offers to be paid by."""

    name: str
    country: str
    city: str | None = None
    iban: str | None = None
    bic: str | None = None
    pix_key: str | None = None


@dataclass(frozen=True)
class DirectDebit:
    """A SEPA direct debit: the mandate, the creditor identifier and the debtor's account."""

    mandate: str
    creditor_id: str
    debtor_iban: str


@dataclass(frozen=True)
class MeansChoice:
    """The means an invoice offers, in order, with what the request gave for them."""

    means: tuple[str, ...]
    boleto: str | None = None
    direct_debit: DirectDebit | None = None


@dataclass
class Instructions:
    """The payment instructions of one numbered invoice, and the references kept for reconciliation."""

    terms: list[PaymentTerms] = field(default_factory=list)
    payment_reference: str | None = None
    pix_txid: str | None = None
    pix_payload: str | None = None
    boleto_number: str | None = None


def default_means(payee: Payee, currency: str) -> tuple[str, ...]:
    """A company with an IBAN takes credit transfers; a Brazilian one with a Pix key takes Pix too (on an
    invoice in BRL, the only currency Pix moves)."""
    means: tuple[str, ...] = ("credit_transfer",) if payee.iban else ()
    if payee.country == "BR" and payee.pix_key and payee.city and currency == "BRL":
        means += ("pix",)
    return means


def means_code(means: str, payee: Payee, currency: str) -> str:
    """The UNCL 4461 code a means is written with: a transfer to a SEPA IBAN in euros is 58, any other
    transfer (Pix included, named "Pix") 30, a SEPA direct debit 59, a boleto ZZZ (named "Boleto")."""
    if means == "credit_transfer":
        return "58" if (payee.iban or "")[:2] in SEPA and currency == "EUR" else "30"
    return {"pix": "30", "boleto": "ZZZ", "direct_debit": "59"}[means]


def _problem(element: str, message: str) -> Problem:
    return Problem(code="INVOICE_FIELD", message=f"{element}: {message}", element=element)


def read_choice(body: dict[str, Any], payee: Payee, currency: str) -> MeansChoice:
    """The request's `payment_means` (default: the company's), with `boleto` and `direct_debit` checked;
    a ValidationError names each bad field."""
    raw = body.get("payment_means")
    problems: list[Problem] = []
    if raw is None:
        means = default_means(payee, currency)
    elif not isinstance(raw, list) or not all(isinstance(m, str) for m in raw):
        raise ValidationError("payment_means is a list", problems=[
            _problem("payment_means", f"a list of {', '.join(MEANS)}")])
    else:
        means = tuple(dict.fromkeys(raw))
        problems += [_problem(f"payment_means[{i}]", f"{m!r} is not one of {', '.join(MEANS)}")
                     for i, m in enumerate(raw) if m not in MEANS]
    if "credit_transfer" in means and not payee.iban:
        problems.append(_problem("payment_means", "credit_transfer needs the company's IBAN"))
    if "pix" in means and not (payee.pix_key and payee.city):
        problems.append(_problem("payment_means", "pix needs the company's Pix key and city"))
    if "pix" in means and currency != "BRL":
        problems.append(_problem("payment_means", f"pix moves BRL only, the invoice is in {currency}"))
    codes = {means_code(m, payee, currency) for m in means if m in MEANS}
    if len(codes) > 1:  # EN 16931 has one payment instruction: UBL-SR-47 wants one code
        problems.append(_problem("payment_means", f"{', '.join(means)} are written with different payment "
                                                  f"means codes ({', '.join(sorted(codes))}); an invoice "
                                                  "offers one code (EN 16931 UBL-SR-47)"))
    boleto = _boleto(body.get("boleto"), "boleto" in means, problems)
    debit = _direct_debit(body.get("direct_debit"), "direct_debit" in means, problems)
    if problems:
        raise ValidationError("the payment means are not valid", problems=problems)
    return MeansChoice(means, boleto, debit)


def _boleto(value: Any, wanted: bool, problems: list[Problem]) -> str | None:
    if not wanted:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(_problem("boleto", "the boleto's linha digitável (47 digits) is required"))
        return None
    try:
        return check_boleto(value)
    except ValueError as exc:
        problems.append(_problem("boleto", f"{value!r} is not a valid linha digitável: {exc}"))
        return None


def _direct_debit(value: Any, wanted: bool, problems: list[Problem]) -> DirectDebit | None:
    if not wanted:
        return None
    data = value if isinstance(value, dict) else {}
    fields = {k: str(data.get(k) or "").strip() for k in ("mandate", "creditor_id", "debtor_iban")}
    for key, text in fields.items():
        if not text:
            problems.append(_problem(f"direct_debit.{key}", "is required"))
        elif len(text) > 35:
            problems.append(_problem(f"direct_debit.{key}", "at most 35 characters"))
    if fields["debtor_iban"]:
        try:
            fields["debtor_iban"] = iban.validate(fields["debtor_iban"])
        except StdnumError as exc:
            problems.append(_problem("direct_debit.debtor_iban", f"not a valid IBAN: {exc}"))
    return DirectDebit(**fields) if all(fields.values()) else None


def instructions(choice: MeansChoice, payee: Payee, number: str, payable: Decimal, currency: str,
                 due: date | None) -> Instructions:
    """The payment instructions of invoice `number`: one PaymentTerms per means, the RF reference on each
    (a boleto is paid by its own line), the Pix payload for the payable amount."""
    out = Instructions(payment_reference=rf_reference(number))
    ref = out.payment_reference
    for means in choice.means:
        if means == "credit_transfer" and payee.iban:
            out.terms.append(PaymentTerms(due_date=due, means_code=means_code(means, payee, currency),
                                          account_id=payee.iban,
                                          bank_id=payee.bic, payee_name=payee.name, payment_reference=ref))
        elif means == "pix" and payee.pix_key and payee.city:
            out.pix_txid = pix.txid_for(number)
            out.pix_payload = pix.encode(pix.PixCharge(
                payee.pix_key, payee.name, payee.city, payable if payable > 0 else None, out.pix_txid))
            out.terms.append(PaymentTerms(due_date=due, means_code="30", means_text="Pix",
                                          account_id=payee.pix_key, payee_name=payee.name,
                                          payment_reference=ref, instruction=out.pix_payload))
        elif means == "boleto" and choice.boleto:
            out.boleto_number = choice.boleto
            out.terms.append(PaymentTerms(due_date=due, means_code="ZZZ", means_text="Boleto",
                                          payment_reference=choice.boleto, instruction=choice.boleto))
        elif means == "direct_debit" and choice.direct_debit:
            debit = choice.direct_debit
            out.terms.append(PaymentTerms(due_date=due, means_code="59", account_id=debit.debtor_iban,
                                          mandate_reference=debit.mandate, creditor_id=debit.creditor_id,
                                          payment_reference=ref))
    return out


def payment_json(canonical: dict[str, Any], payment_reference: str | None, pix_txid: str | None,
                 boleto_number: str | None) -> dict[str, Any]:
    """How an issued invoice asks to be paid, as the API shows it: its references and each means."""
    means = [{k: v for k, v in term.items() if k != "due_date"}
             for term in canonical.get("payment_terms", []) if term.get("means_code")]
    payload = next((t["instruction"] for t in means if t.get("means_text") == "Pix" and t.get("instruction")),
                   None)
    return {"payment_reference": payment_reference, "pix_txid": pix_txid, "pix_payload": payload,
            "boleto_number": boleto_number, "means": means}
