"""One pass over a message body that collects canonical pieces by segment tag and qualifier.

The reader tracks which group is open (header party, reference, line, allowance, payment terms, tax,
remittance document, package) because MOA, DTM, RFF, TAX and QTY mean different things in each.
It does not check the structure (that is `structure.py`'s job); it only has to be right on valid
messages and never crash on invalid ones. Each message module turns a `Reader` into its document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from hub.domain.documents import (
    Address,
    AllowanceCharge,
    Contact,
    Document,
    Identifier,
    IdScheme,
    Item,
    Line,
    Party,
    PartyRole,
    PaymentTerms,
    Price,
    Quantity,
    Reference,
    RemittanceLine,
    TaxSubtotal,
)
from hub.domain.errors import MappingError, Problem
from mappings.edifact import common as c
from mappings.edifact.common import number, text, to_number
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile

_LINE_MODES = frozenset({"line", "line_ref", "line_tax", "line_alc", "line_other", "scc"})
_QTY_MODES = frozenset({"line", "line_ref", "line_tax"})
# segments that open a group whose RFF/DTM/MOA/QTY the canonical model does not carry
_OPENERS = frozenset({"TDT", "TOD", "LOC", "EQD", "GIS", "INP", "DLI", "ERC", "QVR", "GIR",
                      "DGS", "CCI", "EFI", "IRQ", "SEQ", "RCS"})


def _roles() -> dict[str, PartyRole]:
    return {r.value: r for r in PartyRole}


def _schemes() -> dict[str, IdScheme]:
    return {s.value: s for s in IdScheme}


_ONE = Decimal(1)
_QUANTITY_KINDS = c.QUANTITY_KINDS
_PRICE_KINDS = c.PRICE_KINDS
_V = TypeVar("_V")
_ROLE = _roles()
_SCHEME = _schemes()


class Reader:
    """Collects a message's header, parties, lines and summary as canonical pieces."""

    def __init__(self, message: Message, profile: PartnerProfile = GENERIC, decimal_mark: str = ".",
                 warnings: list[Problem] | None = None) -> None:
        self.message = message
        self.profile = profile
        self.units = profile.unit_table
        self.item_types = profile.item_type_table
        self.xref = profile.item_xref_table
        self.ctx = c.Ctx(message.reference, profile, decimal_mark, warnings)
        self.number: str | None = None
        self.type_code: str | None = None
        self.function_code: str | None = None
        self.response_code: str | None = None
        self.bgm_seen = False
        self.dates: dict[str, date | datetime] = {}
        self.references: list[Reference] = []
        self.parties: list[Party] = []
        self.currency: str | None = None
        self.notes: list[str] = []
        self.terms_notes: list[str] = []  # header FTX+AAB: payment terms text (EN 16931 BT-20), in notes too
        self.accounting_cost: str | None = None  # RFF+AOU under the buyer's NAD or in the header
        self.accounting_cost_party: Party | None = None  # the NAD it came under
        # FTX+TXD: (VATEX code, reason text); C107/4441 is an..3, so a VATEX code is C108's first 4440
        self.tax_exemptions: list[tuple[str | None, str | None]] = []
        self.doc_profile: dict[str, str] = {}
        self.lines: list[Line] = []
        self.allowances: list[AllowanceCharge] = []
        self.terms: list[PaymentTerms] = []
        self.accounts: list[str] = []
        self.means_code: str | None = None
        self.taxes: list[TaxSubtotal] = []
        self.taxes_with_amounts: set[int] = set()
        self.amounts: dict[str, Decimal] = {}
        self.remittances: list[RemittanceLine] = []
        self.remit_paid: dict[int, Decimal] = {}
        self.credit_remits: set[int] = set()  # ids of the DOC lines that name a credit note (1001)
        self.counts: dict[str, Decimal] = {}
        self.mode = "header"
        self.in_summary = False
        self.party: Party | None = None
        self.ref: Reference | None = None
        self.line: Line | None = None
        self.alc: AllowanceCharge | None = None
        self.alc_has_amount = True
        self.alc_pos = 0
        self.term: PaymentTerms | None = None
        self.tax: TaxSubtotal | None = None
        self.remit: RemittanceLine | None = None
        self.sscc: str | None = None

    def read(self) -> Reader:
        """Run over every segment between UNH and UNT; MappingError names the first defect."""
        ctx = self.ctx
        handler_of = _HANDLERS.get
        try:
            for pos, seg in enumerate(self.message.segments, 1):
                tag = seg.tag
                handler = handler_of(tag)
                if handler is not None:
                    ctx.pos = pos
                    handler(self, seg)
                elif tag in _OPENERS and not (tag == "LOC" and self.mode == "party"):
                    self.mode = "line_other" if self.line is not None and not self.in_summary else "misc"
        except (ValueError, IndexError, KeyError, AttributeError, TypeError, ArithmeticError) as exc:
            # a defect the handlers did not foresee still names where it is
            where = self.message.segments[ctx.pos - 1] if ctx.pos else None
            ctx.fail(where, None, f"cannot map segment: {exc}", "MAPPING")
        if not self.bgm_seen:
            ctx.pos = 0
            ctx.fail(None, "BGM", "the message has no BGM segment", "MISSING")
        return self

    # --- finishing helpers the message modules share ---------------------------------------------
    def fill(self, doc: Document, issued: tuple[str, ...] = ("137",)) -> None:
        """Copy what every document type has onto `doc`."""
        doc.issued = self.first_date(issued)
        doc.currency = self.currency or self.profile.default_currency
        doc.parties = self.parties
        doc.references = self.references
        doc.lines = self.lines
        doc.notes = self.notes
        doc.function = c.FUNCTIONS.get(self.function_code or "9", self.function_code or "original")
        doc.type_code = self.type_code
        doc.profile = self.doc_profile
        if self.accounting_cost is None:
            return
        if hasattr(doc, "accounting_cost"):  # an order, order change or invoice
            doc.accounting_cost = self.accounting_cost
        elif self.accounting_cost_party is not None:  # other documents keep it as it came
            self.accounting_cost_party.ids.append(Identifier(self.accounting_cost, IdScheme.other, "RFF:AOU"))
        else:
            self.references.append(Reference("AOU", self.accounting_cost, raw_kind="AOU"))

    def first_date(self, qualifiers: tuple[str, ...]) -> date | datetime | None:
        """The first header date among the qualifiers, in their order of preference."""
        return _first(self.dates, qualifiers)

    def first_amount(self, qualifiers: tuple[str, ...]) -> Decimal | None:
        """The first header/summary amount among the qualifiers, in their order of preference."""
        return _first(self.amounts, qualifiers)

    def reference_number(self, kind: str) -> str | None:
        """The number of the first header reference of a kind."""
        return next((r.number for r in self.references if r.kind == kind), None)


def _first(values: dict[str, _V], qualifiers: tuple[str, ...]) -> _V | None:
    """The value of the first qualifier in `values`, in the order of `qualifiers`."""
    if values:
        for q in qualifiers:
            if q in values:
                return values[q]
    return None


# --- header -------------------------------------------------------------------------------------------


def _bgm(r: Reader, seg: Segment) -> None:
    r.bgm_seen = True
    r.type_code = text(seg, 0, 0)
    r.number = text(seg, 1, 0)
    if r.number is None:
        r.ctx.fail(seg, "C106/1004", "the document number is missing", "MISSING")
    r.function_code = text(seg, 2, 0)
    r.response_code = text(seg, 3, 0)


def _dtm(r: Reader, seg: Segment) -> None:
    mode = r.mode
    if mode in ("ref", "line_ref"):  # a reference's date is informative: a bad one is a warning
        try:
            q, value = c.dtm(r.ctx, seg)
        except MappingError as exc:
            r.ctx.warnings.extend(dataclasses.replace(p, severity="warning") for p in exc.problems)
            return
        target = r.ref if mode == "ref" else (r.line.references[-1] if r.line and r.line.references else None)
        if target is not None and value is not None:
            target.issued = value
        return
    q, value = c.dtm(r.ctx, seg)
    if value is None:
        return
    if mode in ("header", "party", "cux", "summary"):
        r.dates.setdefault(q, value)
    elif mode == "line" and r.line is not None:
        if q in c.DELIVERY_DATES and r.line.delivery_date is None:
            r.line.delivery_date = value
    elif mode == "scc" and r.line is not None and r.line.delivery_date is None:
        r.line.delivery_date = value
    elif mode == "term" and r.term is not None and q in ("13", "140", "12"):
        r.term.due_date = value.date() if isinstance(value, datetime) else value
    elif mode == "doc" and r.remit is not None and q in ("137", "3", "171"):
        r.remit.invoice_date = value.date() if isinstance(value, datetime) else value


def _rff(r: Reader, seg: Segment) -> None:
    q = text(seg, 0, 0) or ""
    value = text(seg, 0, 1) or ""
    mode = r.mode
    field = r.profile.ref_scheme(q)
    if mode == "party" and r.party is not None:
        _party_rff(r, r.party, field, q, value)
        return
    if field == c.ACCOUNTING_COST and value:
        if mode in _LINE_MODES and mode != "line_other" and r.line is not None:
            if r.line.accounting_cost is None:
                r.line.accounting_cost = value
                return
        elif mode in ("header", "ref", "cux") and r.accounting_cost is None:
            r.accounting_cost = value
            return
    ref = Reference(r.profile.reference_kind(q), value, line=text(seg, 0, 2), raw_kind=q)
    if mode in _LINE_MODES and mode != "line_other" and r.line is not None:
        r.line.references.append(ref)
        r.mode = "line_ref"
    elif mode in ("header", "ref", "party", "cux", "term", "alc", "tax", "summary"):
        r.references.append(ref)
        r.ref = ref
        r.mode = "ref"


def _party_rff(r: Reader, party: Party, field: str | None, qualifier: str, value: str) -> None:
    """An RFF under a NAD: a tax identifier, the legal registration (GN, XA), the buyer's accounting
    reference (AOU, the document's), or another identifier of the party (kept with its qualifier)."""
    if field == c.ACCOUNTING_COST and r.accounting_cost is None:
        r.accounting_cost, r.accounting_cost_party = value, party
    elif field == c.LEGAL and party.legal_id is None:
        party.legal_id = Identifier(value, IdScheme.other, qualifier)
    elif field in c.TAX_SCHEMES:
        party.tax_ids.append(Identifier(value, _SCHEME.get(field, IdScheme.other), qualifier))
    elif field is not None and field not in (c.LEGAL, c.ACCOUNTING_COST):
        party.ids.append(Identifier(value, _SCHEME.get(field, IdScheme.other), qualifier))
    else:  # a second legal registration or accounting reference stays with the party as it came
        party.ids.append(Identifier(value, IdScheme.other, f"RFF:{qualifier}"))


def _nad(r: Reader, seg: Segment) -> None:
    if r.mode in _LINE_MODES:
        r.mode = "line_other"
        return
    if r.mode in ("doc", "ajt"):
        return
    party = parse_party(r, seg)
    r.parties.append(party)
    r.party = party
    r.mode = "party"


def parse_party(r: Reader, seg: Segment) -> Party:
    """NAD: role, identifier by agency, name and structured address."""
    q = text(seg, 0, 0) or ""
    party = Party(role=_ROLE.get(r.profile.role(q), PartyRole.other), raw_role=q)
    value = text(seg, 1, 0)
    if value is not None:
        key = text(seg, 1, 2) or text(seg, 1, 1)
        scheme = _SCHEME.get(r.profile.agency_scheme(key), IdScheme.other) if key else IdScheme.other
        party.ids.append(Identifier(value, scheme, key))
    els = seg.elements
    if len(els) > 3:
        name = " ".join([x for x in els[3] if x])
        party.name = name or None
    if party.name is None and len(els) > 2 and els[2][0]:
        party.name = els[2][0]
    if len(els) > 4:
        party.address = Address(
            street=[x for x in els[4] if x], city=text(seg, 5), region=text(seg, 6, 0) or text(seg, 6, 3),
            postcode=text(seg, 7), country=text(seg, 8))
    return party


def _cta(r: Reader, seg: Segment) -> None:
    if r.mode == "party" and r.party is not None:
        r.party.contact = r.party.contact or Contact()
        r.party.contact.name = text(seg, 1, 1) or text(seg, 1, 0)


def _com(r: Reader, seg: Segment) -> None:
    if r.mode == "party" and r.party is not None:
        contact = r.party.contact = r.party.contact or Contact()
        channel, value = text(seg, 0, 1), text(seg, 0, 0)
        if channel == "TE" and contact.phone is None:
            contact.phone = value
        elif channel == "EM" and contact.email is None:
            contact.email = value


def _fii(r: Reader, seg: Segment) -> None:
    account = text(seg, 1, 0)
    if not account or text(seg, 0, 0) not in ("RB", "BF", "RH"):
        return
    if r.mode == "term" and r.term is not None:
        r.term.account_id = r.term.account_id or account
    elif r.mode in ("party", "header", "cux", "misc", "ref"):
        r.accounts.append(account)


def _cux(r: Reader, seg: Segment) -> None:
    if r.currency is None:
        r.currency = text(seg, 0, 1)
    r.mode = "cux" if r.mode not in _LINE_MODES else r.mode


def _ftx(r: Reader, seg: Segment) -> None:
    q = text(seg, 0, 0)
    body = " ".join(x for x in seg.elements[3] if x) if len(seg.elements) > 3 else ""
    if not body:
        return
    if q == "DOC":
        r.doc_profile["customization_id"] = body
    elif q in ("TXD", "AGM") and r.mode not in _LINE_MODES:  # tax declaration, exemption (EN 16931 BT-120)
        parts = [x for x in seg.elements[3] if x]
        code = parts.pop(0) if parts[0].upper().startswith("VATEX") else None
        r.tax_exemptions.append((code, " ".join(parts) or None))
    elif r.mode in _LINE_MODES and r.line is not None:
        r.line.notes.append(body)
    elif r.mode not in ("misc", "doc", "ajt"):
        r.notes.append(body)
        if q == "AAB":  # an invoice takes it as its payment terms (invoic.py); other messages as a note
            r.terms_notes.append(body)


def _pat(r: Reader, seg: Segment) -> None:
    desc = [x for x in (text(seg, 1, 3), text(seg, 1, 4)) if x]
    term = PaymentTerms(description=" ".join(desc) or None)
    if text(seg, 0, 0) == "22":
        days = number(r.ctx, seg, 2, 3, "C112/2152")
        term.discount_days = int(days) if days is not None else None
    r.terms.append(term)
    r.term = term
    r.mode = "term"


def _pai(r: Reader, seg: Segment) -> None:
    code = text(seg, 0, 2)
    if r.mode == "term" and r.term is not None:
        r.term.means_code = code
    elif r.means_code is None:
        r.means_code = code


def _pcd(r: Reader, seg: Segment) -> None:
    value = number(r.ctx, seg, 0, 1, "C501/5482")
    if r.mode in ("alc", "line_alc") and r.alc is not None:
        r.alc.percent = value
    elif r.mode == "term" and r.term is not None:
        r.term.discount_percent = value


def _moa(r: Reader, seg: Segment) -> None:
    q = text(seg, 0, 0) or ""
    amount = number(r.ctx, seg, 0, 1, "C516/5004")
    if amount is None:
        return
    mode = r.mode
    if mode in ("line", "line_ref", "line_other", "scc"):
        if q in c.LINE_AMOUNT_QUALIFIERS and r.line is not None and r.line.line_amount is None:
            r.line.line_amount = amount
    elif mode in ("alc", "line_alc"):
        _alc_amount(r, q, amount)
    elif mode == "tax" and r.tax is not None:
        if q == "124":
            r.tax.tax_amount = amount
        elif q == "125":
            r.tax.taxable_amount = amount
        r.taxes_with_amounts.add(id(r.tax))
    elif mode in ("doc", "ajt") and r.remit is not None:
        _remit_amount(r, q, amount)
    elif mode in ("header", "party", "ref", "cux", "summary"):
        r.amounts.setdefault(q, amount)


def _alc_amount(r: Reader, q: str, amount: Decimal) -> None:
    alc = r.alc
    if alc is None:
        return
    if q == "25":
        alc.base_amount = amount
    elif q in ("204", "23", "8", "131", "52") and not r.alc_has_amount:
        alc.amount = amount
        r.alc_has_amount = True
    elif q == c.PRICE_DISCOUNT and r.mode == "line_alc" and not alc.is_charge and not r.alc_has_amount \
            and r.line is not None and _price_discount(r.line, alc, amount):
        r.alc_has_amount = True


def _price_discount(line: Line, alc: AllowanceCharge, amount: Decimal) -> bool:
    """ALC+A with MOA+509 on a line is the discount on its item price (EN 16931 BT-147), not a line
    allowance: the line gets its gross price (net + discount) unless it has one (PRI+AAB). False when the
    line has no net price yet to add the discount to."""
    net = next((p for p in line.prices if p.kind == "net"), None)
    if net is None:
        return False
    line.allowances_charges = [a for a in line.allowances_charges if a is not alc]
    if not any(p.kind == "gross" for p in line.prices):
        line.prices.append(Price(net.amount + amount, net.base_quantity, net.unit, "gross"))
    return True


def _remit_amount(r: Reader, q: str, amount: Decimal) -> None:
    remit = r.remit
    assert remit is not None
    if r.mode == "ajt" or q in ("165", "52"):
        remit.adjustment = amount
    elif q in ("12", "9") and id(remit) not in r.remit_paid:
        remit.paid = amount
        r.remit_paid[id(remit)] = amount
    elif q in ("39", "77", "38") and remit.invoice_amount is None:
        remit.invoice_amount = amount


def _tax_scheme(seg: Segment) -> str:
    """C241/5153, or the name in C241/5152 for OTH (how ICMS, PIS, COFINS travel: 5153 is an..3)."""
    code = text(seg, 1, 0) or "VAT"
    return (text(seg, 1, 3) or code) if code == "OTH" else code


def _tax(r: Reader, seg: Segment) -> None:
    category = text(seg, 5, 0)
    rate = number(r.ctx, seg, 4, 3, "C243/5278")
    mode = r.mode
    if mode in ("alc", "line_alc") and r.alc is not None:
        r.alc.tax_category, r.alc.tax_rate = category, rate
    elif mode in _LINE_MODES and r.line is not None:
        r.line.tax_category, r.line.tax_rate = category, rate
        r.mode = "line_tax"
    elif mode != "misc":
        if category is None:  # older files omit 5305: a zero rate is "zero rated", else standard
            category = "Z" if rate is not None and rate == 0 else "S"
        sub = TaxSubtotal(category=category, rate=rate, taxable_amount=Decimal(0), tax_amount=Decimal(0),
                          scheme=_tax_scheme(seg))
        r.taxes.append(sub)
        r.tax = sub
        r.mode = "tax"


def _alc(r: Reader, seg: Segment) -> None:
    _close_alc(r)
    alc = AllowanceCharge(is_charge=text(seg, 0, 0) == "C", amount=Decimal(0),
                          reason=text(seg, 4, 3) or text(seg, 1, 0),
                          reason_code=text(seg, 4, 0) or text(seg, 1, 1))
    r.alc = alc
    r.alc_pos = r.ctx.pos
    r.alc_has_amount = False
    if r.mode in _LINE_MODES and r.line is not None and not r.in_summary:
        r.line.allowances_charges.append(alc)
        r.mode = "line_alc"
    else:
        r.allowances.append(alc)
        r.mode = "alc"


def _close_alc(r: Reader) -> None:
    if r.alc is not None and not r.alc_has_amount:
        p = r.ctx.problem(None, "C516/5004", "allowance or charge without an amount, taken as 0",
                          "ALC_NO_AMOUNT", severity="warning")
        p.segment_position, p.segment_tag = r.alc_pos, "ALC"
        r.ctx.warnings.append(p)
    r.alc_has_amount = True


# --- lines --------------------------------------------------------------------------------------------


def _lin(r: Reader, seg: Segment) -> None:
    if r.alc is not None:
        _close_alc(r)
    els = seg.elements
    n = len(els)
    number_ = els[0][0] if n and els[0][0] else str(len(r.lines) + 1)
    line = Line(number=number_)
    status = els[1][0] if n > 1 else ""
    if status:
        line.status = c.LINE_STATUS.get(status, status)
    if r.sscc is not None:
        line.references.append(Reference("sscc", r.sscc, raw_kind="BJ"))
    if n > 2:
        c212 = els[2]
        if c212[0]:
            _item_number(r, line.item, c212[0], c212[1] if len(c212) > 1 and c212[1] else None)
    r.lines.append(line)
    r.line = line
    r.mode = "line"


def _item_number(r: Reader, item: Item, value: str | None, kind: str | None) -> None:
    if value is None:
        return
    field = r.item_types.get(kind) if kind else None
    if field == "gtin" and item.gtin is None:
        item.gtin = value
    elif field == "buyer" and item.buyer_number is None:
        item.buyer_number = value
        item.our_number = r.xref.get(value)
    elif field == "supplier" and item.supplier_number is None:
        item.supplier_number = value
    else:
        item.other_ids.append(Identifier(value, IdScheme.other, kind))


def _pia(r: Reader, seg: Segment) -> None:
    line = r.line
    if r.mode not in _LINE_MODES or line is None:
        return
    for comps in seg.elements[1:]:
        if comps[0]:
            _item_number(r, line.item, comps[0], comps[1] if len(comps) > 1 and comps[1] else None)


def _imd(r: Reader, seg: Segment) -> None:
    line = r.line
    if r.mode not in _LINE_MODES or line is None or len(seg.elements) < 3:
        return
    body = " ".join([x for x in seg.elements[2][3:5] if x])
    if not body:
        return
    if line.item.description is None:
        line.item.description = body
    else:
        line.notes.append(body)


def _qty(r: Reader, seg: Segment) -> None:
    line = r.line
    if r.mode not in _QTY_MODES or line is None:
        return
    c186 = seg.elements[0] if seg.elements else [""]
    n = len(c186)
    value = to_number(r.ctx, seg, c186[1] if n > 1 else None, "C186/6060")
    if value is None:
        r.ctx.fail(seg, "C186/6060", "required value is missing", "MISSING")
    unit = c186[2] if n > 2 else ""
    line.quantities.append(Quantity(value, r.units.get(unit, unit) if unit else "C62",
                                    _QUANTITY_KINDS.get(c186[0], c186[0])))


def _pri(r: Reader, seg: Segment) -> None:
    line = r.line
    mode = r.mode
    if mode not in _LINE_MODES or line is None or mode == "line_alc":
        return
    ctx = r.ctx
    c509 = seg.elements[0] if seg.elements else [""]
    n = len(c509)
    amount = to_number(ctx, seg, c509[1] if n > 1 else None, "C509/5118")
    if amount is None:
        ctx.fail(seg, "C509/5118", "required value is missing", "MISSING")
    base = to_number(ctx, seg, c509[4], "C509/5284") if n > 4 else None
    unit = c509[5] if n > 5 else ""
    line.prices.append(Price(amount, base if base is not None else _ONE,
                             r.units.get(unit, unit) if unit else None, _PRICE_KINDS.get(c509[0], c509[0])))
    r.mode = "line"


def _scc(r: Reader, seg: Segment) -> None:
    if r.mode in _LINE_MODES:
        r.mode = "scc"


def _uns(r: Reader, seg: Segment) -> None:
    _close_alc(r)
    if text(seg, 0, 0) == "S":
        r.in_summary = True
        r.mode = "summary"


def _cnt(r: Reader, seg: Segment) -> None:
    value = number(r.ctx, seg, 0, 1, "C270/6066")
    if value is not None:
        r.counts.setdefault(text(seg, 0, 0) or "", value)


# --- despatch packages and remittance documents -------------------------------------------------------


def _cps(r: Reader, seg: Segment) -> None:
    r.mode = "pkg"
    r.sscc = None
    r.line = None


def _pac(r: Reader, seg: Segment) -> None:
    if r.mode not in _LINE_MODES:
        r.mode = "pkg"


def _gin(r: Reader, seg: Segment) -> None:
    if r.mode == "pkg" and text(seg, 0, 0) == "BJ":
        r.sscc = text(seg, 1, 0)


# UNCL 1001 codes of credit notes: a remittance advice's DOC line naming one deducts it from the payment
CREDIT_NOTE_CODES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "502", "503",
                               "532"})


def _doc(r: Reader, seg: Segment) -> None:
    number_ = text(seg, 1, 0)
    if number_ is None:
        r.ctx.fail(seg, "C503/1004", "the document number is missing", "MISSING")
    remit = RemittanceLine(invoice_number=number_, paid=Decimal(0))
    if text(seg, 0, 0) in CREDIT_NOTE_CODES:
        r.credit_remits.add(id(remit))
    r.remittances.append(remit)
    r.remit = remit
    r.mode = "doc"


def _ajt(r: Reader, seg: Segment) -> None:
    if r.remit is not None and r.mode in ("doc", "ajt"):
        r.remit.adjustment_reason = text(seg, 0, 0)
        r.mode = "ajt"


_HANDLERS: dict[str, Callable[[Reader, Segment], None]] = {
    "BGM": _bgm, "DTM": _dtm, "RFF": _rff, "NAD": _nad, "CTA": _cta, "COM": _com, "FII": _fii,
    "CUX": _cux, "FTX": _ftx, "PAT": _pat, "PYT": _pat, "PAI": _pai, "PCD": _pcd, "MOA": _moa,
    "TAX": _tax, "ALC": _alc, "LIN": _lin, "PIA": _pia, "IMD": _imd, "QTY": _qty, "PRI": _pri,
    "SCC": _scc, "UNS": _uns, "CNT": _cnt, "CPS": _cps, "PAC": _pac, "GIN": _gin, "DOC": _doc,
    "AJT": _ajt,
}


def read(message: Message, profile: PartnerProfile = GENERIC, decimal_mark: str = ".",
         warnings: list[Problem] | None = None) -> Reader:
    """Read a message into a Reader (MappingError on a defect it cannot map)."""
    return Reader(message, profile, decimal_mark, warnings).read()
