"""INVRPT <-> InventoryReport: the stock a partner holds for us (UN D.96A / D.01B).

BGM 35 (inventory report), DTM 366 the inventory's date (else the document's, DTM 137), NAD GY the
reporting party. Each LIN names the item (GTIN in C212, PIA SA / IN); each quantity group under it
(D.96A: QTY, then INV, LOC, DTM; D.01B: INV, then QTY, LOC, DTM) is one canonical line: QTY 145 (actual
stock) or 17 (on hand), LOC 18 its warehouse and DTM its own counting time. A LIN with several
quantity groups gives one line each (numbered 1, 1.2, 1.3, ...).
"""

from __future__ import annotations

from copy import deepcopy

from hub.domain.documents import InventoryReport, Line, Quantity
from hub.domain.errors import Problem
from mappings import codelists
from mappings.edifact import common as c
from mappings.edifact.common import text, to_number
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.reader import Reader, read
from mappings.edifact.writer import Writer

MESSAGE_TYPE = "INVRPT"
WAREHOUSE = "18"  # 3227: warehouse


def parse(message: Message, profile: PartnerProfile = GENERIC, *, decimal_mark: str = ".",
          warnings: list[Problem] | None = None) -> InventoryReport:
    """An INVRPT message as an InventoryReport."""
    r = read(message, profile, decimal_mark, warnings)
    doc = InventoryReport(number=r.number or "")
    r.fill(doc)
    doc.as_of = r.first_date(("366",))
    doc.lines = _stock_lines(r, message)
    return doc


def _stock_lines(r: Reader, message: Message) -> list[Line]:
    """One line per quantity group of each LIN, with its location and time."""
    out: list[Line] = []
    base: Line | None = None
    current: Line | None = None
    index = count = 0
    for pos, seg in enumerate(message.segments, 1):
        r.ctx.pos = pos
        tag = seg.tag
        if tag == "LIN":
            base, current, count = r.lines[index], None, 0
            index += 1
        elif base is None:
            continue
        elif tag == "QTY":
            count += 1
            current = base if count == 1 else Line(number=f"{base.number}.{count}", item=deepcopy(base.item))
            current.quantities = [_quantity(r, seg)]
            out.append(current)
        elif tag == "LOC" and current is not None and current.location is None:
            current.location = text(seg, 1, 0)
        elif tag == "DTM" and current is not None and current.as_of is None:
            current.as_of = c.dtm(r.ctx, seg)[1]
    return out


def _quantity(r: Reader, seg: Segment) -> Quantity:
    value = to_number(r.ctx, seg, text(seg, 0, 1), "C186/6060")
    if value is None:
        r.ctx.fail(seg, "C186/6060", "required value is missing", "MISSING")
    unit = text(seg, 0, 2)
    kind = text(seg, 0, 0) or ""
    return Quantity(value, r.units.get(unit, unit) if unit else "C62", c.QUANTITY_KINDS.get(kind, kind))


def render(doc: InventoryReport, profile: PartnerProfile = GENERIC) -> list[Segment]:
    """The INVRPT body for an InventoryReport."""
    w = Writer(profile)
    w.bgm(doc, "35")
    w.dtm("137", doc.issued)
    w.dtm("366", doc.as_of)
    w.references(doc.references)
    w.parties(doc.parties)
    w.currency(doc.currency)
    d96a = profile.directory.upper() == "D96A"
    kinds = codelists.load("edifact_6063")
    for line in doc.lines:
        where = f"line {line.number}"
        w.lin(line)
        w.description(line.item.description)
        if not d96a:
            w.add("INV")
        for q in line.quantities[:1]:
            w.add("QTY", [kinds.code(q.kind, segment="QTY", element="C186/6063", where=where),
                          w.num(q.value), w.unit(q.unit, "QTY", "C186/6411", where)])
        if line.location:
            w.add("LOC", WAREHOUSE, line.location)
        w.dtm("366", line.as_of)
    return w.out
