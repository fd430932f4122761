"""CSV bank exports read through profiles kept as data: a profile names the delimiter, the decimal and
thousands marks, the date format, the encoding and which column holds which field. Pure.

Two profiles ship (`profiles/generic.json`, `profiles/pix.json`); a user adds more as JSON files in
the folder `HUB_STATEMENT_PROFILES` names (one profile per file, same keys; a file may replace a
shipped profile by using its name). A Pix profile (`"pix": true`) checks the end-to-end id
(`E` + 31 characters), the txid and the payer's CNPJ/CPF (python-stdnum).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from hub.domain.errors import Problem, bounded
from hub.reconciliation.statements.domain import (
    PIX_END_TO_END,
    PIX_TXID,
    ParsedEntry,
    ParsedStatement,
    StatementError,
    amount,
    clip,
    currency,
    entry_key,
    iban,
    problem,
    rf_in_text,
    structured,
    tax_id,
)

SHIPPED = Path(__file__).with_name("profiles")
FIELDS = ("account", "statement_ref", "booking_date", "value_date", "amount", "credit", "debit",
          "direction", "currency", "fees",
          "reversal", "bank_reference", "end_to_end_id", "pix_txid", "structured_reference",
          "remittance_info", "counterparty_name", "counterparty_iban", "counterparty_id")
MAX_ROWS = 200_000


class ProfileError(StatementError):
    code = "STATEMENT_PROFILE"


@dataclass(frozen=True)
class CsvProfile:
    """How one bank's CSV export is laid out."""

    name: str
    columns: dict[str, str]
    delimiter: str = ","
    decimal_mark: str = "."
    thousands: str = ""
    date_format: str = "%Y-%m-%d"
    encoding: str = "utf-8-sig"
    account: str | None = None  # the account when no column holds it
    currency: str | None = None  # the currency when no column holds it
    pix: bool = False
    reversal_values: tuple[str, ...] = ()
    debit_values: tuple[str, ...] = ("D", "DBIT", "DEBIT")  # in the `direction` column
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        """The header names a file must have to be read with this profile."""
        return [self.columns[f] for f in ("booking_date", "amount", "credit", "account", "currency")
                if f in self.columns]


def profile_from(raw: Any, source: str) -> CsvProfile:
    """A profile from its JSON object; ProfileError names the file and the key that is wrong."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise _bad(source, "name", "a profile is a JSON object with a name")
    columns = raw.get("columns")
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise _bad(source, "columns", "maps field names to header names")
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        raise _bad(source, "columns", f"unknown fields {unknown}; known: {', '.join(FIELDS)}")
    if "amount" not in columns and not ("credit" in columns and "debit" in columns):
        raise _bad(source, "columns.amount", "is required (or both credit and debit)")
    for needed, fixed in (("booking_date", None), ("account", "account"),
                          ("currency", "currency")):
        if needed not in columns and not (fixed and raw.get(fixed)):
            raise _bad(source, f"columns.{needed}", "is required" + (
                f" (or a fixed \"{fixed}\")" if fixed else ""))
    for key in ("delimiter", "decimal_mark"):
        if key in raw and (not isinstance(raw[key], str) or len(raw[key]) != 1):
            raise _bad(source, key, "is one character")
    try:
        "".encode(str(raw.get("encoding", "utf-8")))
    except LookupError:
        raise _bad(source, "encoding", f"{raw.get('encoding')!r} is not an encoding") from None
    known = {k: raw[k] for k in ("delimiter", "decimal_mark", "thousands", "date_format", "encoding",
                                 "account", "currency", "description") if k in raw}
    return CsvProfile(name=raw["name"], columns=dict(columns), pix=bool(raw.get("pix")),
                      reversal_values=tuple(str(v) for v in raw.get("reversal_values", ())),
                      debit_values=tuple(str(v) for v in raw.get("debit_values") or CsvProfile.debit_values),
                      **known)


def _bad(source: str, key: str, message: str) -> ProfileError:
    return ProfileError(f"CSV profile {source}: {key} {message}", problems=[
        Problem(code="STATEMENT_PROFILE", message=message, element=f"{source}:{key}")])


def load_profiles(folder: str | Path | None = None) -> dict[str, CsvProfile]:
    """The shipped profiles, then the user's (`*.json` in `folder`), by name."""
    profiles: dict[str, CsvProfile] = {}
    for directory in (SHIPPED, Path(folder) if folder else None):
        if directory is None or not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.json")):
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise _bad(path.name, "", f"is not JSON ({exc})") from None
            profile = profile_from(raw, path.name)
            profiles[profile.name] = profile
    return profiles


def header_of(data: bytes, profile: CsvProfile) -> list[str] | None:
    """The header row as the profile reads it, or None when the bytes do not decode or read so (a
    lone carriage return in it, say: csv refuses that line)."""
    try:
        first = data.decode(profile.encoding).lstrip("\ufeff").split("\n", 1)[0]
        return [h.strip() for h in next(csv.reader([first], delimiter=profile.delimiter), [])]
    except (UnicodeDecodeError, csv.Error):
        return None


def matching_profile(data: bytes, profiles: dict[str, CsvProfile]) -> CsvProfile | None:
    """The profile whose required columns the file's header has (the one naming most columns)."""
    fits = []
    for profile in profiles.values():
        header = header_of(data, profile)
        if header and all(name in header for name in profile.required):
            fits.append((sum(c in header for c in profile.columns.values()), profile.name, profile))
    return max(fits)[2] if fits else None


def parse(data: bytes, profile: CsvProfile) -> list[ParsedStatement]:
    """The statements (one per account) of a CSV export read with `profile`."""
    try:
        text = data.decode(profile.encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise ProfileError(f"the file is not {profile.encoding} (byte {exc.start})", problems=[
            Problem(code="STATEMENT_ENCODING", message=f"not {profile.encoding}",
                    element=f"byte {exc.start}")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=profile.delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [name for name in profile.required if name not in header]
    if missing:
        raise ProfileError(f"line 1: the header lacks {', '.join(missing)} (profile {profile.name})",
                           problems=[problem(1, name, "column missing from the header") for name in missing])
    rows: list[tuple[str, ParsedEntry, str | None]] = []
    problems: list[Problem] = []
    seen: Counter[tuple[object, ...]] = Counter()
    try:
        for row in reader:
            if reader.line_num > MAX_ROWS:
                raise ProfileError(f"more than {MAX_ROWS} rows", problems=[
                    problem(reader.line_num, "row", f"more than {MAX_ROWS} rows")])
            values = {(k or "").strip(): (v if isinstance(v, str) else "") for k, v in row.items()}
            if not any(v.strip() for v in values.values()):
                continue
            try:
                rows.append(_row(values, reader.line_num, profile, seen))
            except StatementError as exc:
                problems += exc.problems
    except csv.Error as exc:
        problems.append(problem(reader.line_num, "row", f"not CSV: {exc}"))
    if problems:
        raise StatementError(f"{len(problems)} problem(s), the first: {problems[0].message} "
                             f"(line {problems[0].segment_position}, {problems[0].element})",
                             problems=bounded(problems), problems_total=len(problems))
    return _statements(rows, profile)


def _value(values: dict[str, str], profile: CsvProfile, name: str) -> str:
    column = profile.columns.get(name)
    return (values.get(column) or "").strip() if column else ""


def _day(text: str, line: int, column: str, fmt: str) -> date:
    try:
        return datetime.strptime(text.strip(), fmt).date()
    except ValueError:
        raise StatementError(f"line {line}, {column}: {text!r} is not a date as {fmt}", problems=[
            problem(line, column, f"{text!r} is not a date as {fmt}")]) from None


def _row(values: dict[str, str], line: int, profile: CsvProfile, seen: Counter[tuple[object, ...]]
         ) -> tuple[str, ParsedEntry, str | None]:
    col = profile.columns
    get = lambda name: _value(values, profile, name)  # noqa: E731
    money = {"decimal_mark": profile.decimal_mark, "thousands": profile.thousands}
    account = iban(get("account") or profile.account)
    if not account:
        raise StatementError(f"line {line}: no account", problems=[problem(line, col["account"], "is empty")])
    booked = _day(get("booking_date"), line, col["booking_date"], profile.date_format)
    value_date = _day(get("value_date"), line, col["value_date"], profile.date_format) \
        if get("value_date") else None
    signed = _signed(get, line, profile)
    code = currency(get("currency") or profile.currency, line, col.get("currency", "currency"))
    fees = abs(amount(get("fees"), line, col["fees"], **money)) if get("fees") else Decimal(0)
    e2e = get("end_to_end_id") or None
    txid = get("pix_txid") if get("pix_txid") not in ("", "***") else None  # "***": a static QR, no txid
    if profile.pix:
        _check_pix(e2e, txid, line, profile)
    details: dict[str, Any] = {"line": line}
    text = clip(get("remittance_info"), 500)
    reference = structured(get("structured_reference"), f"line {line}", details) \
        if get("structured_reference") else rf_in_text(text, details, f"line {line}")
    payer_id = tax_id(get("counterparty_id"), line, col.get("counterparty_id", "")) if profile.pix \
        else clip("".join(ch for ch in get("counterparty_id") if ch.isalnum()).upper(), 40)
    reversal = bool(get("reversal")) and get("reversal").strip().upper() in {
        v.upper() for v in profile.reversal_values}
    bank_ref = get("bank_reference") or None
    base = (booked, signed, code, get("counterparty_iban"), payer_id, text)
    seen[(account, *base)] += 1
    entry = ParsedEntry(
        line=line, where=f"line {line}", entry_key=entry_key(
            bank_reference=bank_ref, end_to_end_id=e2e, pix_txid=txid,
            fallback=(account, *base, seen[(account, *base)])),
        booking_date=booked, value_date=value_date, amount=signed, currency=code, fees=fees,
        reversal=reversal, bank_reference=clip(bank_ref, 64), end_to_end_id=clip(e2e, 64),
        pix_txid=clip(txid, 64), structured_reference=reference, remittance_info=text,
        counterparty_name=clip(get("counterparty_name"), 200),
        counterparty_iban=iban(get("counterparty_iban")), counterparty_id=payer_id, details=details)
    return account, entry, get("statement_ref") or None


def _signed(get: Any, line: int, profile: CsvProfile) -> Decimal:
    """The signed amount: one column (with a D/C column when the profile names one), or a credit
    and a debit column of which one is filled."""
    col, money = profile.columns, {"decimal_mark": profile.decimal_mark, "thousands": profile.thousands}
    if "amount" in col:
        value = amount(get("amount"), line, col["amount"], **money)
        debit = get("direction").strip().upper() in {v.upper() for v in profile.debit_values}
        return -abs(value) if "direction" in col and debit else value
    credit, debit = get("credit"), get("debit")
    if bool(credit) == bool(debit):
        raise StatementError(f"line {line}: fill one of {col['credit']} and {col['debit']}", problems=[
            problem(line, f"{col['credit']}/{col['debit']}", "exactly one of them holds the amount")])
    if credit:
        return abs(amount(credit, line, col["credit"], **money))
    return -abs(amount(debit, line, col["debit"], **money))


def _check_pix(e2e: str | None, txid: str | None, line: int, profile: CsvProfile) -> None:
    if e2e and not PIX_END_TO_END.match(e2e):
        column = profile.columns["end_to_end_id"]
        raise StatementError(f"line {line}, {column}: {e2e!r} is not a Pix end-to-end id", problems=[
            problem(line, column, f"{e2e!r} is not a Pix end-to-end id (E, 8-digit ISPB, "
                                  "yyyyMMddHHmm, 11 characters: 32 in all)")])
    if txid and not PIX_TXID.match(txid):
        column = profile.columns["pix_txid"]
        raise StatementError(f"line {line}, {column}: {txid!r} is not a Pix txid", problems=[
            problem(line, column, f"{txid!r} is not a Pix txid (up to 35 letters and digits)")])


def _statements(rows: list[tuple[str, ParsedEntry, str | None]], profile: CsvProfile
                ) -> list[ParsedStatement]:
    by_account: dict[str, list[tuple[ParsedEntry, str | None]]] = {}
    for account, entry, ref in rows:
        by_account.setdefault(account, []).append((entry, ref))
    out = []
    for account, items in by_account.items():
        entries = tuple(e for e, _ in items)
        days = sorted(e.booking_date for e in entries)
        ref = next((r for _, r in items if r), None) or f"{days[0]}..{days[-1]}"
        currencies = {e.currency for e in entries}
        out.append(ParsedStatement(
            source_format=f"csv:{profile.name}"[:40], account=account, statement_ref=ref[:64],
            statement_date=days[-1], currency=currencies.pop() if len(currencies) == 1 else None,
            entries=entries))
    if not out:
        raise StatementError("the file has a header but no rows", problems=[
            problem(2, "row", "no rows after the header")])
    return out


__all__ = ["CsvProfile", "ProfileError", "load_profiles", "matching_profile", "parse", "profile_from"]
