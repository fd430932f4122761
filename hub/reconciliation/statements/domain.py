"""What every statement parser gives: one shape for camt.053/054, MT940 and CSV exports. Pure.

A parser reads a file into `ParsedStatement`s, each with its `ParsedEntry`s; every defect is a
`StatementError` whose problems name the line (or XPath) and the field. The checks shared by the
formats live here: amounts as `Decimal`, the ISO 11649 creditor reference, Pix ids, CNPJ/CPF, and
the keys that make an import idempotent.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from stdnum.br import cnpj, cpf

from hub.domain.errors import Problem, ValidationError

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1e15")  # what NUMERIC(20, 2) holds, with room
CURRENCY = re.compile(r"^[A-Z]{3}$")
RF_REFERENCE = re.compile(r"\bRF\d{2}[0-9A-Z]{1,21}\b")
PIX_END_TO_END = re.compile(r"^E\d{8}\d{12}[0-9A-Za-z]{11}$")  # E + ISPB + yyyyMMddHHmm + 11
PIX_TXID = re.compile(r"^[0-9A-Za-z]{1,35}$")
BOLETO = re.compile(r"^\d{44}$|^\d{47}$|^\d{48}$")  # bar code, or the typed line (linha digitável)
NOT_PROVIDED = {"NOTPROVIDED", "NONREF", "NONE", ""}
# a CPF or CNPJ as Brazilians write it: 529.982.247-25, 11.222.333/0001-81
BRAZILIAN_FORM = re.compile(r"^\d{3}\.\d{3}\.\d{3}-\d{2}$|^\d{2}\.\d{3}\.\d{3}/\d{4}-\d{2}$")


class StatementError(ValidationError):
    """A statement that cannot be read: every problem names its line (or XPath) and field."""

    code = "STATEMENT_INVALID"
    http_status = 422


def problem(where: str | int | None, field_name: str, message: str, code: str = "STATEMENT_FIELD"
            ) -> Problem:
    """A problem at a line number (int) or an XPath (str), in a field."""
    if isinstance(where, int):
        return Problem(code=code, message=message, segment_position=where, element=field_name)
    return Problem(code=code, message=message, element=f"{where}/{field_name}" if where else field_name)


def fail(where: str | int | None, field_name: str, message: str) -> StatementError:
    """A StatementError with one problem, its text naming where and which field."""
    place = f"line {where}" if isinstance(where, int) else (where or "file")
    return StatementError(f"{place}, {field_name}: {message}",
                          problems=[problem(where, field_name, message)])


@dataclass(frozen=True)
class ParsedEntry:
    """One payment as the file gave it; `amount` is signed (positive: money in)."""

    line: int  # the line of a text file, the entry's number in an XML file
    where: str  # "line 12" or the XPath of the entry
    entry_key: str  # see entry_key(): the bank's reference, the end-to-end id, or a digest
    booking_date: date
    amount: Decimal
    currency: str
    value_date: date | None = None
    fees: Decimal = Decimal(0)
    reversal: bool = False
    bank_reference: str | None = None
    end_to_end_id: str | None = None
    pix_txid: str | None = None
    structured_reference: str | None = None
    remittance_info: str | None = None
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParsedStatement:
    """A statement (or notification, or export) of one account with its entries."""

    source_format: str  # camt.053, camt.054, mt940, csv:<profile>
    account: str
    statement_ref: str
    statement_date: date
    currency: str | None
    entries: tuple[ParsedEntry, ...]
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    not_booked: int = 0  # pending or information-only entries the file listed, not imported

    @property
    def fingerprint(self) -> str:
        """A digest of the entries' keys: the same statement read twice has the same one."""
        keys = "\n".join(sorted(e.entry_key for e in self.entries))
        return hashlib.sha256(keys.encode()).hexdigest()


def distinct_keys(statement: ParsedStatement) -> ParsedStatement:
    """The statement with every entry key its own: a bank that gives several entries (or the
    transactions of one batch entry) the same reference gets the second and later ones keyed
    `<key>#2`, `#3`, ... in the file's order, the same on every import of the file (else the import
    would take them for one entry already held and drop them)."""
    keys = [e.entry_key for e in statement.entries]
    numbered = _numbered(keys, keys, 128)
    if numbered == keys:
        return statement
    return replace(statement, entries=tuple(replace(e, entry_key=k) for e, k in zip(
        statement.entries, numbered, strict=True)))


def distinct_refs(statements: list[ParsedStatement]) -> list[ParsedStatement]:
    """The statements with each (account, reference, date) their own: when two of a file would share
    them (an MT940 bank writing `:28:1/1` on each part of a statement), the second and later get `#2`,
    `#3` in the file's order, the same on every import (else a part would be filed under another's
    name, and taken for it when both hold no entries)."""
    refs = _numbered([(s.account, s.statement_ref, s.statement_date) for s in statements],
                     [s.statement_ref for s in statements], 64)
    return [s if ref == s.statement_ref else replace(s, statement_ref=ref)
            for s, ref in zip(statements, refs, strict=True)]


def _numbered(names: list[Any], values: list[str], size: int) -> list[str]:
    """`values`, the second and later of a repeated name told apart by `#2`, `#3` in order, cut to fit
    `size` characters."""
    seen: Counter[Any] = Counter()
    out = []
    for name, value in zip(names, values, strict=True):
        seen[name] += 1
        suffix = f"#{seen[name]}" if seen[name] > 1 else ""
        out.append(value[:size - len(suffix)] + suffix if suffix else value)
    return out


def as_dict(statement: ParsedStatement) -> dict[str, Any]:
    """The statement as JSON-ready data (amounts and dates as text): golden files, the API."""
    def plain(value: Any) -> Any:
        if isinstance(value, Decimal | date):
            return str(value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value
    out = {f.name: plain(getattr(statement, f.name)) for f in fields(statement)}
    out["entries"] = [{f.name: plain(getattr(e, f.name)) for f in fields(e)}
                      for e in statement.entries]
    out["fingerprint"] = statement.fingerprint
    return out


def amount(text: str | None, where: str | int | None, field_name: str, *, decimal_mark: str = ".",
           thousands: str = "") -> Decimal:
    """A money amount read exactly (never through a float): digits grouped by threes when the
    thousands mark is used (`1.234,56`), at most two decimals (`500,` is 500.00, as MT940 writes it)."""
    raw = (text or "").strip()
    dec, group = re.escape(decimal_mark), re.escape(thousands) if thousands else None
    whole = rf"\d{{1,3}}(?:{group}\d{{3}})+|\d+" if group else r"\d+"
    found = re.fullmatch(rf"([+-]?)({whole})(?:{dec}(\d*))?", raw)
    if found is None:
        raise fail(where, field_name, f"{raw!r} is not an amount")
    digits = found.group(2).replace(thousands, "") if thousands else found.group(2)
    value = Decimal(f"{found.group(1)}{digits}.{found.group(3) or '0'}")
    if abs(value) >= MAX_AMOUNT or value != value.quantize(CENT):
        raise fail(where, field_name, f"{raw!r} is out of range (at most 2 decimals)")
    return value.quantize(CENT)


def currency(text: str | None, where: str | int | None, field_name: str) -> str:
    """An ISO 4217 code."""
    code = (text or "").strip().upper()
    if not CURRENCY.match(code):
        raise fail(where, field_name, f"{text!r} is not an ISO 4217 currency code")
    return code


def rf_valid(reference: str) -> bool:
    """Whether `reference` is an ISO 11649 creditor reference (RF, two check digits, up to 21 more)."""
    ref = reference.replace(" ", "").upper()
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", ref):
        return False
    digits = "".join(str(int(ch, 36)) for ch in ref[4:] + ref[:4])
    return int(digits) % 97 == 1


def structured(reference: str | None, where: str, details: dict[str, Any]) -> str | None:
    """The structured reference to store: an RF reference only when its check digits hold (a
    near miss is kept in `details` as `invalid_rf`, never matched on); a boleto number; else None
    (other references stay in the remittance text)."""
    if not reference:
        return None
    ref = reference.replace(" ", "").upper()
    if ref.startswith("RF"):
        if rf_valid(ref):
            return ref
        details["invalid_rf"] = {"value": reference, "where": where}
        return None
    if BOLETO.match(ref):
        return ref
    return ref[:64] if ref else None


def rf_in_text(text: str | None, details: dict[str, Any], where: str) -> str | None:
    """The first valid RF reference written in free text; invalid ones noted in `details`."""
    for found in RF_REFERENCE.findall((text or "").upper()):
        if rf_valid(found):
            return found
        details.setdefault("invalid_rf", {"value": found, "where": where})
    return None


def tax_id(text: str | None, where: str | int | None, field_name: str) -> str | None:
    """A Brazilian CNPJ (14 digits) or CPF (11 digits), checked, as digits; None when empty."""
    digits = re.sub(r"\D", "", text or "")
    if not digits:
        return None
    module = cnpj if len(digits) == 14 else cpf if len(digits) == 11 else None
    if module is None or not module.is_valid(digits):
        kind = "CNPJ" if len(digits) == 14 else "CPF" if len(digits) == 11 else "CNPJ or CPF"
        raise fail(where, field_name, f"{text!r} is not a valid {kind} (check digits)")
    return digits


def brazilian_tax_id(text: str | None, *, scheme: str | None = None, currency: str | None = None) -> bool:
    """Whether an identifier a bank gave is to be checked as a CNPJ/CPF: written in their form, under a
    scheme naming CPF or CNPJ (`CPF`, `BR-CNPJ`, ...), or of 11 or 14 digits in a statement in reais.
    Elsewhere such a number is as likely an Italian VAT number (11 digits) or a French SIRET (14), which
    a CNPJ/CPF check would wrongly refuse."""
    raw = (text or "").strip()
    if not raw:
        return False
    if BRAZILIAN_FORM.match(raw) or {"CPF", "CNPJ"} & set(re.split(r"[^A-Z]+", (scheme or "").upper())):
        return True
    digits = re.sub(r"\D", "", raw)
    return currency == "BRL" and len(digits) in (11, 14) and len(digits) >= len(raw) - 4


def entry_key(*, bank_reference: str | None, end_to_end_id: str | None, pix_txid: str | None,
              fallback: tuple[object, ...]) -> str:
    """How an entry is known for good on its account: the bank's reference, else the end-to-end id,
    else the Pix txid, else a digest of what the file said about it (date, amount, text, position)."""
    for prefix, value in (("ref", bank_reference), ("e2e", end_to_end_id), ("pix", pix_txid)):
        if value and value.strip().upper() not in NOT_PROVIDED:
            return f"{prefix}:{value.strip()}"[:128]
    digest = hashlib.sha256("|".join(str(part) for part in fallback).encode()).hexdigest()
    return f"h:{digest[:40]}"


def clip(text: str | None, size: int) -> str | None:
    """Text trimmed of spaces and cut to what its column holds; None when empty."""
    value = " ".join((text or "").split())
    return value[:size] if value else None


def iban(text: str | None) -> str | None:
    """An account number as compared: letters and digits, upper case."""
    value = re.sub(r"[^0-9A-Za-z]", "", text or "").upper()
    return value[:34] or None
