"""Shared EDIFACT segment helpers: qualifier tables, numbers, dates, units, and segment builders.

Everything here works by segment tag and qualifier, so it holds across directories (D93A ... D14B,
EANCOM). Decimal marks: parsing accepts the interchange's decimal mark (UNA) and also a full stop,
since EDIFACT forbids grouping separators and so "1,5" and "1.5" cannot be confused; rendering
writes the mark given (`PartnerProfile.decimal_mark`).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import NoReturn

from hub.domain.errors import MappingError, Problem
from mappings import codelists
from mappings.edifact.model import Segment

# --- qualifier tables: partner code -> canonical (a PartnerProfile extends them) ---------------------
# Those of a standard code list come from its table in mappings/codelists (one table, both directions).

UNIT_CODES: dict[str, str] = {  # legacy / EANCOM units -> UN/ECE Rec 20 (packages: Rec 21 code with X)
    "PCE": "C62", "PCS": "C62", "PC": "C62", "ST": "C62", "STK": "C62", "EA": "EA", "NAR": "NAR",
    "KG": "KGM", "KGS": "KGM", "GR": "GRM", "G": "GRM", "LT": "LTR", "L": "LTR", "M": "MTR",
    "MT": "MTR", "M2": "MTK", "M3": "MTQ", "CM": "CMT", "MM": "MMT", "TON": "TNE", "T": "TNE",
    "CT": "XCT", "BX": "XBX", "PK": "XPK", "PR": "PR", "HUR": "HUR", "HR": "HUR", "DAY": "DAY",
}
PARTY_ROLES: dict[str, str] = dict(codelists.load("edifact_3035").to_canonical)
PARTY_ROLES_OUT: dict[str, str] = dict(codelists.load("edifact_3035").to_code)
# C082/3055 agency, or C082/1131 ISO 6523 ICD (EN 16931 EDIFACT) when reading
ID_AGENCIES: dict[str, str] = {**codelists.load("edifact_3055").to_canonical, "0088": "gln", "0060": "duns"}
ID_AGENCIES_OUT: dict[str, str] = dict(codelists.load("edifact_3055").to_code)
# RFF under NAD that is a party's own field: a tax identifier (vat), its legal registration (legal), the
# buyer's accounting reference (accounting_cost); under LIN, the line's accounting reference
PARTY_REF_SCHEMES: dict[str, str] = dict(codelists.load("edifact_1153_fields").to_canonical)
PARTY_REF_SCHEMES_OUT: dict[str, str] = dict(codelists.load("edifact_1153_fields").to_code)
LEGAL, ACCOUNTING_COST = "legal", "accounting_cost"
TAX_SCHEMES = frozenset({"vat", "cnpj", "cpf"})
ITEM_TYPES: dict[str, str] = {
    "EN": "gtin", "SRV": "gtin", "UP": "gtin", "IN": "buyer", "BP": "buyer", "SA": "supplier",
    "VN": "supplier",
}
ITEM_TYPES_OUT: dict[str, str] = {"buyer": "IN", "supplier": "SA"}
REFERENCE_KINDS: dict[str, str] = dict(codelists.load("edifact_1153").to_canonical)
REFERENCE_KINDS_OUT: dict[str, str] = dict(codelists.load("edifact_1153").to_code)
FUNCTIONS: dict[str, str] = dict(codelists.load("edifact_1225").to_canonical)
FUNCTIONS_OUT: dict[str, str] = dict(codelists.load("edifact_1225").to_code)
QUANTITY_KINDS: dict[str, str] = dict(codelists.load("edifact_6063").to_canonical)
QUANTITY_KINDS_OUT: dict[str, str] = dict(codelists.load("edifact_6063").to_code)
PRICE_KINDS: dict[str, str] = {"AAA": "net", "AAB": "gross", "INV": "invoice", "CAL": "calculation"}
PRICE_KINDS_OUT: dict[str, str] = {v: k for k, v in PRICE_KINDS.items()}
LINE_STATUS: dict[str, str] = {
    "5": "accepted", "3": "changed", "6": "changed_accepted", "7": "rejected", "2": "deleted",
    "1": "added", "4": "unchanged", "10": "not_found",
}
LINE_STATUS_OUT: dict[str, str] = {v: k for k, v in LINE_STATUS.items()}
PRICE_DISCOUNT = "509"  # 5025 under a line's ALC+A: the item price discount (EN 16931 EDIFACT binding)
LINE_AMOUNT_QUALIFIERS = frozenset({"203", "66", "77"})
DELIVERY_DATES = ("2", "64", "63", "17", "69", "76", "191", "35", "132", "10")
CREDIT_NOTE_TYPES = frozenset({"381", "261", "262", "396", "532"})

# --- errors ------------------------------------------------------------------------------------------


class Ctx:
    """Where the parse is (message, segment position) and the inputs every helper needs."""

    __slots__ = ("decimal_mark", "message_ref", "pos", "profile", "warnings")

    def __init__(self, message_ref: str, profile: object, decimal_mark: str = ".",
                 warnings: list[Problem] | None = None) -> None:
        self.message_ref = message_ref
        self.profile = profile
        self.decimal_mark = decimal_mark
        self.warnings = warnings if warnings is not None else []
        self.pos = 0

    def problem(self, seg: Segment | None, element: str | None, reason: str, code: str,
                severity: str = "error") -> Problem:
        """A Problem at the current segment."""
        return Problem(code=code, message=reason, message_ref=self.message_ref,
                       segment_position=self.pos or None, segment_tag=seg.tag if seg else None,
                       element=element, severity=severity)

    def fail(self, seg: Segment | None, element: str | None, reason: str, code: str = "MAPPING") -> NoReturn:
        """Raise a MappingError naming the current segment and element."""
        p = self.problem(seg, element, reason, code)
        raise MappingError(str(p), problems=[p])

    def warn(self, seg: Segment | None, element: str | None, reason: str, code: str) -> None:
        """Record a warning (the caller decides where warnings go)."""
        self.warnings.append(self.problem(seg, element, reason, code, severity="warning"))


# --- values ------------------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


def text(seg: Segment, element: int, component: int = 0) -> str | None:
    """Component text or None when absent or empty."""
    els = seg.elements
    if element < len(els):
        comps = els[element]
        if component < len(comps):
            return comps[component] or None
    return None


def number(ctx: Ctx, seg: Segment, element: int, component: int, element_id: str) -> Decimal | None:
    """A numeric component as Decimal, None when empty; MappingError when it is not a number."""
    return to_number(ctx, seg, text(seg, element, component), element_id)


def to_number(ctx: Ctx, seg: Segment, raw: str | None, element_id: str) -> Decimal | None:
    """Numeric text as Decimal, None when empty; MappingError naming `element_id` when not a number."""
    if not raw:
        return None
    known = _NUMBERS.get(raw)  # quantities and prices repeat: Decimals are immutable, so share them
    if known is not None:
        return known
    if raw.isdigit() and raw.isascii():  # the common case, without the regex
        value = Decimal(raw)
    elif _NUMBER.fullmatch(raw) is None:
        ctx.fail(seg, element_id, f"{raw!r} is not a number", "NOT_NUMERIC")
    else:
        try:
            value = Decimal(raw.replace(",", ".") if "," in raw else raw)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
            ctx.fail(seg, element_id, f"{raw!r} is not a number", "NOT_NUMERIC")
    if len(_NUMBERS) >= 4096:
        _NUMBERS.clear()
    _NUMBERS[raw] = value
    return value


_NUMBERS: dict[str, Decimal] = {}


def required_number(ctx: Ctx, seg: Segment, element: int, component: int, element_id: str) -> Decimal:
    """Like `number`, but a missing value is an error."""
    value = number(ctx, seg, element, component, element_id)
    if value is None:
        ctx.fail(seg, element_id, "required value is missing", "MISSING")
    return value


def fmt_number(value: Decimal, decimal_mark: str = ".") -> str:
    """A Decimal as EDIFACT numeric text (no exponent, the given decimal mark)."""
    out = format(value, "f")
    return out.replace(".", decimal_mark) if decimal_mark != "." else out


def _zone(raw: str) -> timezone | None:
    if raw in ("", "Z", "UTC", "GMT", "UT"):
        return UTC
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})?", raw)
    if m is None:
        return None
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3) or 0))
    return timezone(-delta if m.group(1) == "-" else delta)


_DATE_LENGTHS = {"102": 8, "203": 12, "204": 14, "101": 6, "201": 10, "718": 17, "719": 25}


def parse_date(ctx: Ctx, seg: Segment, value: str, fmt: str | None, element_id: str) -> date | datetime:
    """A DTM value in format 2379 (102, 203, 204, 101, 201, 718, 303, 304, 205) as date or aware datetime.

    A range (718, 719) gives its start. Times without a zone are taken as UTC.
    """
    if not fmt:  # infer from the length, as partners often leave 2379 out
        fmt = {8: "102", 12: "203", 14: "204", 6: "101", 10: "201"}.get(len(value), "")
    try:
        if fmt in ("102", "718") and len(value) == _DATE_LENGTHS[fmt] and value[:8].isdigit():
            return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        if fmt in ("203", "204", "719") and len(value) == _DATE_LENGTHS[fmt] and value[:12].isdigit():
            sec = int(value[12:14]) if fmt == "204" else 0
            return datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]),
                            int(value[10:12]), sec, tzinfo=UTC)
        if fmt in ("303", "304", "205") and len(value) > 12 and value[:12].isdigit():
            n = 14 if fmt == "304" else 12
            tz = _zone(value[n:])
            if tz is not None and value[:n].isdigit():
                return datetime(int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]),
                                int(value[10:12]), int(value[12:14]) if n == 14 else 0, tzinfo=tz)
        if fmt in ("101", "201") and len(value) == _DATE_LENGTHS[fmt] and value.isdigit():
            year = 2000 + int(value[:2]) if int(value[:2]) < 70 else 1900 + int(value[:2])
            if fmt == "101":
                return date(year, int(value[2:4]), int(value[4:6]))
            return datetime(year, int(value[2:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]),
                            tzinfo=UTC)
    except ValueError as exc:
        ctx.fail(seg, element_id, f"{value!r} is not a valid date in format {fmt}: {exc}", "BAD_DATE")
    inferred = {8: "102", 12: "203", 14: "204"}.get(len(value))
    if inferred and inferred != fmt and value.isdigit():  # unambiguous by length: accept, but say so
        result = parse_date(ctx, seg, value, inferred, element_id)
        ctx.warn(seg, element_id, f"{value!r} does not match date format {fmt}; read as {inferred}",
                 "DATE_FORMAT_MISMATCH")
        return result
    ctx.fail(seg, element_id, f"{value!r} does not match date format {fmt or '(none)'}", "BAD_DATE")


def dtm(ctx: Ctx, seg: Segment) -> tuple[str, date | datetime | None]:
    """DTM C507: (qualifier 2005, value); the value is None when 2380 is empty."""
    qualifier = text(seg, 0, 0) or ""
    raw = text(seg, 0, 1)
    if raw is None:
        return qualifier, None
    return qualifier, parse_date(ctx, seg, raw, text(seg, 0, 2), "C507/2380")


def fmt_date(value: date | datetime, datetime_format: str = "203") -> tuple[str, str]:
    """(2380 value, 2379 format) for a date or aware datetime."""
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d"), "102"
    offset = value.utcoffset()
    if offset is None or offset == timedelta(0):
        if value.second or datetime_format == "204":
            return value.strftime("%Y%m%d%H%M%S"), "204"
        return value.strftime("%Y%m%d%H%M"), "203"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    zone = f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    if value.second:
        return value.strftime("%Y%m%d%H%M%S") + zone, "304"
    return value.strftime("%Y%m%d%H%M") + zone, "303"


# --- segment builders (render side) -------------------------------------------------------------------


def seg(tag: str, *elements: str | list[str]) -> Segment:
    """A Segment from elements given as a string (one component) or a list of components.

    Trailing empty elements and components are dropped so the output stays minimal.
    """
    els = [[e] if isinstance(e, str) else list(e) for e in elements]
    for comps in els:
        while len(comps) > 1 and comps[-1] == "":
            comps.pop()
    while els and els[-1] == [""]:
        els.pop()
    return Segment(tag, els)


def dtm_seg(qualifier: str, value: date | datetime, datetime_format: str = "203") -> Segment:
    """DTM+qualifier:value:format."""
    raw, fmt = fmt_date(value, datetime_format)
    return seg("DTM", [qualifier, raw, fmt])


def moa_seg(qualifier: str, amount: Decimal, decimal_mark: str = ".") -> Segment:
    """MOA+qualifier:amount."""
    return seg("MOA", [qualifier, fmt_number(amount, decimal_mark)])


def split35(value: str, size: int = 35) -> list[str]:
    """Split text into components of at most `size` characters, at spaces where possible."""
    if len(value) <= size:
        return [value]
    out: list[str] = []
    rest = value
    while len(rest) > size:
        cut = rest.rfind(" ", 1, size + 1)
        if cut <= 0:
            out.append(rest[:size])
            rest = rest[size:]
        else:
            out.append(rest[:cut])
            rest = rest[cut + 1:]
    out.append(rest)
    return out
