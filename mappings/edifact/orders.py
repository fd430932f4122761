"""ORDERS <-> PurchaseOrder, for every directory (D93A ... D14B) and EANCOM, by tag and qualifier."""

from __future__ import annotations

from datetime import datetime

from hub.domain.documents import PurchaseOrder, Totals
from hub.domain.errors import Problem
from mappings.edifact import common as c
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.reader import Reader, read
from mappings.edifact.writer import Writer

MESSAGE_TYPE = "ORDERS"
TOTALS: dict[str, tuple[str, ...]] = {  # canonical total -> MOA qualifiers by preference
    "line_total": ("79",), "allowance_total": ("260",), "charge_total": ("259",),
    "tax_exclusive": ("389", "125"), "tax_total": ("176", "124"),
    "tax_inclusive": ("388", "86", "128", "77", "39"), "prepaid": ("113",), "rounding": ("366",),
    "payable": ("9",),
}
TOTALS_OUT: dict[str, str] = {
    "line_total": "79", "allowance_total": "260", "charge_total": "259", "tax_exclusive": "125",
    "tax_total": "176", "tax_inclusive": "86", "prepaid": "113", "rounding": "366", "payable": "9",
}


def parse(message: Message, profile: PartnerProfile = GENERIC, *, decimal_mark: str = ".",
          warnings: list[Problem] | None = None) -> PurchaseOrder:
    """An ORDERS message as a PurchaseOrder (MappingError naming segment and element on a defect)."""
    r = read(message, profile, decimal_mark, warnings)
    doc = PurchaseOrder(number=r.number or "")
    r.fill(doc, ("137", "4"))
    doc.delivery_date = r.first_date(c.DELIVERY_DATES)
    valid_until = r.first_date(("36",))  # expiry date: the order is valid until
    doc.validity_end = valid_until.date() if isinstance(valid_until, datetime) else valid_until
    doc.allowances_charges = r.allowances
    doc.totals = totals(r)
    return doc


def totals(r: Reader) -> Totals | None:
    """Header/summary MOA amounts as Totals, or None when the message has none."""
    if not r.amounts:
        return None
    values = {name: r.first_amount(qualifiers) for name, qualifiers in TOTALS.items()}
    if all(v is None for v in values.values()):
        return None
    return Totals(**values)


def render_totals(w: Writer, t: Totals | None) -> None:
    """MOA per total that is set."""
    if t is None:
        return
    for name, qualifier in TOTALS_OUT.items():
        w.moa(qualifier, getattr(t, name))


def render(doc: PurchaseOrder, profile: PartnerProfile = GENERIC) -> list[Segment]:
    """The ORDERS body (BGM ... last segment before UNT) for a PurchaseOrder."""
    w = Writer(profile)
    w.bgm(doc, "220")
    w.dtm("137", doc.issued)
    w.dtm("2", doc.delivery_date)
    w.dtm("36", doc.validity_end)
    w.notes(doc.notes)
    w.references(doc.references)
    w.parties(doc.parties, accounting_cost=doc.accounting_cost)
    w.currency(doc.currency)
    for alc in doc.allowances_charges:  # SG19: document-level allowances and charges
        w.allowance(alc)
    w.lines(doc.lines)
    w.add("UNS", "S")
    render_totals(w, doc.totals)
    w.add("CNT", ["2", str(len(doc.lines))])
    return w.out
