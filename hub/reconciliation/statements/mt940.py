"""SWIFT MT940 statements through the `mt-940` library, with every fix it offers switched on
(`Options.all()`: the reversal sign of RC/RD, the BOM, the `?31` IBAN of a structured `:86:`, details
longer than nine lines, ...). Pure.

The library is given the text through a file object, never as a string: a string naming an
existing file is read from disk by `mt940.parse`. A file of several statements is cut at each `:20:`
(one statement per block, as `mt940.parse_statements` does) so each error names the line it is on;
every transaction the library reads is an entry, placed on the line of its `:61:` (a tag wrapped over
two lines, `:` then `61:`, as Sparkasse writes them, counts as the library counts it).
A statement too long for one message comes in parts: each part but the last closes with an
intermediate balance (`:62M:`, the library's `intermediate_closing_balance`) and each but the first
opens with one (`:60M:`); a part is read as a statement of its own, its balances the intermediate
ones when it has no final (`:60F:`/`:62F:`) one. Parts the bank gives the same `:20:`/`:28C:`
reference are told apart by `#2`, `#3` in the file's order (`domain.distinct_refs`, for every format).
The `:86:` details are read in both structured forms: the German `?20`-`?29` purpose, `?32`/`?33`
name, `?31` IBAN, with `EREF+`/`SVWZ+` keywords; and the `/EREF/`, `/REMI/`, `/NAME/`, `/IBAN/`
keywords of Dutch and SWIFT-guideline banks. Charges come from a `/CHGS/` code.

SWIFT MT942 (interim transaction report) is read by the same library, which knows its tags (`:34F:`
floor limit, `:13D:` date and time, `:90D:`/`:90C:` number and sum of debits and credits): a block
with a `:13D:` or `:34F:` and no `:62F:`/`:62M:` is an MT942, a statement of its own kind (`mt942`) dated by
its `:13D:`, without balances. Its entries are booked ones (an MT942 reports what was booked since the
last statement), keyed like an MT940's (the bank reference after `//`, else the end-to-end id), so the
evening's MT940 carrying them again does not double them. The `:90C:`/`:90D:` counts and sums are
checked against the entries read, each sum as written (the library gives the `:90D:` one negative).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

import mt940

from hub.reconciliation.statements.domain import (
    ParsedEntry,
    ParsedStatement,
    StatementError,
    amount,
    clip,
    currency,
    entry_key,
    fail,
    iban,
    rf_in_text,
)

SLASH_CODES = re.compile(r"/(EREF|REMI|NAME|IBAN|BIC|ORDP|BENM|CSID|MARF|RTRN|PREF|KREF|CHGS|OCMT|TRCD)/")
CHARGES = re.compile(r"/CHGS/([A-Z]{3})?(\d{1,12},\d{0,2})")
REF_NONE = {"NONREF", "NOTPROVIDED", ""}
BALANCES = {"opening": ((":60F:", "final_opening_balance"), (":60M:", "intermediate_opening_balance")),
            "closing": ((":62F:", "final_closing_balance"), (":62M:", "intermediate_closing_balance"))}
END_OF_TEXT = re.compile(r"^-(\}|\s*$)")
TAG = re.compile(r"^:(\d{2}[A-Z]?|NS):")
WRAPPED_TAG = re.compile(r"^(\d{2}[A-Z]?|NS):")  # the rest of a tag whose colon ends the line before


def looks_like(text: str) -> bool:
    """An MT940 (or MT942) file, or a piece of one: a line opening with a tag (`:20:`, `:61:`,
    `:60F:`, wrapped or not). A piece is read as MT940 so `parse` says what it lacks (a CSV reader
    would only find that its first line is no header it knows)."""
    return bool(re.search(r"(?m)^:\n?(\d{2}[A-Z]?|NS):", text))


def decode(data: bytes) -> str:
    """MT940 is SWIFT's ASCII subset in theory; banks send UTF-8 or Latin-1 in practice."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(data: bytes) -> list[ParsedStatement]:
    """The statements of an MT940 file (or the reports of an MT942 one)."""
    lines = decode(data).split("\n")
    starts = _tag_lines(lines, "20")
    if not starts:
        raise fail(1, ":20:", "no MT940 statement (a :20: line, then :25:, :60F:, :61:) was found")
    statements = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        statements.append(_statement(_message(lines[start:end], start + 1), start + 1))
    return statements


def _message(block: list[str], first_line: int) -> list[str]:
    """The block up to its end-of-text mark (`-` alone on a line, or `-}` closing a SWIFT block 4; no
    line of a field may open with a hyphen). What follows it up to the next `:20:` is no part of the
    statement: a bank's header lines there are passed over, but a tag is refused, as every MT940
    message opens with `:20:` (the library, which drops the `-`, would add a `:61:` there to the
    statement before)."""
    end = next((n for n, text in enumerate(block) if END_OF_TEXT.match(text)), len(block))
    stray = next((n for n in range(end + 1, len(block)) if _tag_at(block, n)), None)
    if stray is not None:
        raise fail(first_line + stray, f":{_tag_at(block, stray)}:",
                   f"comes after the end of the statement ('-' on line {first_line + end}) with no :20: "
                   "opening another")
    return block[:end]


def _read_block(block: list[str], first_line: int) -> mt940.models.Transactions:
    try:
        return _library(block)
    except Exception as exc:  # the library raises RuntimeError, ValueError, KeyError, ...
        raise _library_error(exc, block, first_line) from None


def _library(block: list[str]) -> mt940.models.Transactions:
    return mt940.parse(io.StringIO("\n".join(block)), options=mt940.Options.all())


def _library_error(exc: Exception, block: list[str], first_line: int) -> StatementError:
    """The library's complaint, placed on the line of the value it could not read: the value its
    error names, else (an impossible date's ValueError names none) that of the tag found failing."""
    reason = f"cannot be read ({type(exc).__name__}: {str(exc.args[0] if exc.args else exc)[:200]})"
    tag = getattr(exc.args[1], "id", None) if len(exc.args) > 2 else None
    if tag is None:
        at = _failing_tag(block)
        if at is None:
            return fail(first_line, "statement", reason)
        text = block[at] + block[at + 1] if block[at].rstrip() == ":" else block[at]
        name = _tag_at(block, at)
        return fail(first_line + at, f":{name}:", f"{reason}: {text[len(str(name)) + 2:][:100]!r}")
    value = str(exc.args[2]).split("\n")[0]
    line = next((first_line + n for n, text in enumerate(block)
                 if value and value in text), first_line)
    return fail(line, f":{tag}:", reason)


def _failing_tag(block: list[str]) -> int | None:
    """The index of the line of the first tag the library fails on, None when there is no tag. The
    library reads the tags in order, so the block cut after a tag reads exactly when the failing tag
    comes later: a bisection over the tags, a few readings, made only once the block has failed."""
    starts = [n for n in range(len(block)) if _tag_at(block, n)]
    ends = [*starts[1:], len(block)]
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high) // 2
        try:
            _library(block[:ends[middle]])
            low = middle + 1
        except Exception:  # any complaint of the library's: the failing tag is here or before
            high = middle
    return starts[low] if starts else None


def is_interim(block: list[str]) -> bool:
    """An MT942 block: a `:13D:` or `:34F:` (tags only MT942 has) and no closing balance."""
    tags = {_tag_at(block, n) for n in range(len(block))}
    return bool(tags & {"13D", "34F"}) and not tags & {"62F", "62M"}


def _statement(block: list[str], first_line: int) -> ParsedStatement:
    transactions = _read_block(block, first_line)
    data = transactions.data
    account = iban(data.get("account_identification"))
    if not account:
        raise fail(_line_of(block, ":25:", first_line), ":25:", "the statement names no account")
    ref = "/".join(str(p) for p in (data.get("transaction_reference"), data.get("statement_number"))
                   if p)
    lines61 = [first_line + n for n in _tag_lines(block, "61")]
    seen: Counter[tuple[object, ...]] = Counter()
    entries = [_entry(tx.data, lines61[n] if n < len(lines61) else first_line, account, seen)
               for n, tx in enumerate(transactions)]
    if is_interim(block):
        return _interim(block, first_line, data, account, ref, entries)
    closing, code = _balance(data, "closing", block, first_line)
    if closing is None:
        raise fail(_line_of(block, ":62F:", first_line), ":62F:",
                   "the statement has no closing balance (:62F:, or :62M: closing a part)")
    opening, _ = _balance(data, "opening", block, first_line)
    return ParsedStatement(
        source_format="mt940", account=account, statement_ref=(ref or "MT940")[:64],
        statement_date=date(closing.date.year, closing.date.month, closing.date.day), currency=code,
        entries=tuple(entries), opening_balance=_money(opening.amount.amount) if opening else None,
        closing_balance=_money(closing.amount.amount))


def _balance(data: dict[str, Any], which: str, block: list[str], first_line: int) -> tuple[Any, str | None]:
    """(the final opening or closing balance, else the intermediate one of a statement's part; its
    currency), the currency checked: the library reads any three characters there, so a balance
    written without one (`:62M:C020315105000,00`) would give `105` and 000,00."""
    for tag, key in BALANCES[which]:
        balance = data.get(key)
        if balance is not None:
            return balance, currency(str(balance.amount.currency), _line_of(block, tag, first_line), tag)
    return None, None


def _interim(block: list[str], first_line: int, data: dict[str, Any], account: str, ref: str,
             entries: list[ParsedEntry]) -> ParsedStatement:
    """An MT942 report: dated by its `:13D:`, its `:90C:`/`:90D:` checked against the entries read."""
    when = data.get("date")
    if when is None:
        raise fail(_line_of(block, ":13D:", first_line), ":13D:", "the interim report has no date and time")
    for tag, key, sign in ((":90C:", "sum_credit_entries", 1), (":90D:", "sum_debit_entries", -1)):
        stated = data.get(key)
        if stated is None:
            continue
        mine = [e.amount * sign for e in entries if e.amount * sign > 0]
        total, count = sum(mine, Decimal(0)), len(mine)
        number = str(stated.number or "").strip()
        said = abs(_money(stated.amount))  # the library signs the :90D: sum negative
        if said != total or (number and int(number) != count):
            raise fail(_line_of(block, tag, first_line), tag,
                       f"says {stated.number or '?'} entries of {said}, the report holds {count} of {total}")
    floor = data.get("c_floor_limit") or data.get("d_floor_limit")
    code = str(floor.currency) if floor is not None and floor.currency else \
        (entries[0].currency if entries else None)
    return ParsedStatement(
        source_format="mt942", account=account, statement_ref=(ref or "MT942")[:64],
        statement_date=date(when.year, when.month, when.day), currency=code, entries=tuple(entries))


def _tag_at(lines: list[str], n: int) -> str | None:
    """The tag line `n` opens (`61` for `:61:...`), else None. A tag may be wrapped, its first colon
    alone at the end of a line and the rest opening the next (`:` then `61:...`), as Sparkasse exports
    write them and the library reads them; the tag then counts from the line of its first colon."""
    found = TAG.match(lines[n])
    if found is None and lines[n].rstrip() == ":" and n + 1 < len(lines):
        found = WRAPPED_TAG.match(lines[n + 1])
    return found.group(1) if found else None


def _tag_lines(lines: list[str], tag: str) -> list[int]:
    """The indexes of the lines opening `tag` (`20`, `61`, ...), wrapped ones included."""
    return [n for n in range(len(lines)) if _tag_at(lines, n) == tag]


def _line_of(block: list[str], tag: str, first_line: int) -> int:
    """The line number of `tag` (`:62F:`) in the block, else the block's first line."""
    found = _tag_lines(block, tag.strip(":"))
    return first_line + found[0] if found else first_line


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def slash_fields(text: str) -> dict[str, str]:
    """The `/CODE/value` fields of an `:86:` or supplementary details (EREF, REMI, NAME, IBAN...)."""
    parts = SLASH_CODES.split(text.replace("\n", ""))
    fields: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        fields.setdefault(code, value.strip().strip("/").strip())
    return fields


def _entry(tx: dict[str, Any], line: int, account: str, seen: Counter[tuple[object, ...]]
           ) -> ParsedEntry:
    where = f"line {line}"
    status = str(tx.get("status") or "")
    money = tx["amount"]
    signed = _money(money.amount)
    raw86 = str(tx.get("transaction_details") or "")
    slashes = slash_fields(raw86 + " " + str(tx.get("extra_details") or ""))
    e2e = tx.get("end_to_end_reference") or slashes.get("EREF")
    remittance = clip(tx.get("purpose") or slashes.get("REMI") or (raw86 if not slashes else None), 500)
    name = tx.get("applicant_name") or slashes.get("NAME")
    counter_iban = iban(tx.get("applicant_iban") or tx.get("gvc_applicant_iban") or slashes.get("IBAN"))
    given_ref = str(tx.get("bank_reference") or "").strip()
    bank_ref = None if given_ref.upper() in REF_NONE else given_ref
    details: dict[str, Any] = {"line": line}
    for key in ("customer_reference", "id", "posting_text", "transaction_code"):
        if tx.get(key) and str(tx[key]).strip() not in REF_NONE:
            details[key] = str(tx[key]).strip()
    booked_at = tx.get("entry_date") or tx.get("date")
    if booked_at is None:
        raise fail(line, ":61:", "the statement line has no date")
    booking = date(booked_at.year, booked_at.month, booked_at.day)
    base = (booking, signed, str(money.currency), counter_iban, remittance)
    seen[base] += 1
    value_date = tx.get("date")
    return ParsedEntry(
        line=line, where=where, entry_key=entry_key(
            bank_reference=bank_ref, end_to_end_id=e2e, pix_txid=None,
            fallback=(account, *base, details.get("customer_reference"), seen[base])),
        booking_date=booking,
        value_date=date(value_date.year, value_date.month, value_date.day) if value_date else None,
        amount=signed, currency=str(money.currency), fees=_charges(raw86, tx, where),
        reversal=status.upper().startswith("R"), bank_reference=clip(bank_ref, 64),
        end_to_end_id=clip(e2e, 64) if e2e and e2e.upper() not in REF_NONE else None,
        structured_reference=rf_in_text(remittance, details, where), remittance_info=remittance,
        counterparty_name=clip(name, 200), counterparty_iban=counter_iban, details=details)


def _charges(raw86: str, tx: dict[str, Any], where: str) -> Decimal:
    found = CHARGES.search(f"{tx.get('extra_details') or ''} {raw86}")
    return amount(found.group(2), where, "/CHGS/", decimal_mark=",") if found else Decimal(0)


__all__ = ["StatementError", "is_interim", "looks_like", "parse", "slash_fields"]
