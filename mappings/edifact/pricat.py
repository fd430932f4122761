"""PRICAT <-> Catalogue: a supplier's price list (UN D.96A / D.01B, and EANCOM PRICAT, which keeps their
segments).

BGM 1225 is the catalogue's action (9 a whole price list, 2 additions, 4 changes, 3 deletions); each LIN
1229 the line's (1 added, 3 changed, 2 deleted). A line's item is its GTIN (LIN C212), the supplier's
number (PIA SA) and ours (PIA IN); QTY 53 is the minimum order quantity and QTY 165 the order multiple;
DTM 194/206 its validity; each PRI is a price, and an RNG (4, quantity range) under it makes it a price
break: that price from that quantity up. Lines sit under one PGI (product group) as the message wants.
"""

from __future__ import annotations

from datetime import date, datetime

from hub.domain.documents import Catalogue, Line
from hub.domain.errors import Problem
from mappings import codelists
from mappings.edifact import common as c
from mappings.edifact.common import text, to_number
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.reader import Reader, read
from mappings.edifact.writer import Writer

MESSAGE_TYPE = "PRICAT"
ACTION_BY_1225 = {"9": "replace", "5": "replace", "2": "add", "4": "update", "3": "delete"}
ACTION_OUT = {"replace": "9", "add": "2", "update": "4", "delete": "3"}
STARTS, ENDS = ("194", "157", "7"), ("206", "36")
QUANTITY_RANGE = "4"  # 6167: quantity range


def parse(message: Message, profile: PartnerProfile = GENERIC, *, decimal_mark: str = ".",
          warnings: list[Problem] | None = None) -> Catalogue:
    """A PRICAT message as a Catalogue."""
    r = read(message, profile, decimal_mark, warnings)
    doc = Catalogue(number=r.number or "")
    r.fill(doc)
    doc.action = ACTION_BY_1225.get(r.function_code or "9", r.function_code or "replace")
    doc.function = "original"  # 1225 carried the catalogue's action
    doc.valid_from = _day(r.first_date(STARTS))
    doc.valid_to = _day(r.first_date(ENDS))
    _line_details(r, message, doc.lines)
    return doc


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _line_details(r: Reader, message: Message, lines: list[Line]) -> None:
    """What the shared reader leaves aside: each line's validity and its price breaks (RNG)."""
    line: Line | None = None
    price = -1
    index = 0
    for pos, seg in enumerate(message.segments, 1):
        r.ctx.pos = pos
        if seg.tag == "LIN":
            line, price = lines[index], -1
            index += 1
        elif line is None:
            continue
        elif seg.tag == "PRI":
            price += 1
        elif seg.tag == "DTM" and price < 0:
            qualifier, value = c.dtm(r.ctx, seg)
            if qualifier in STARTS and line.valid_from is None:
                line.valid_from = _day(value)
            elif qualifier in ENDS and line.valid_to is None:
                line.valid_to = _day(value)
        elif seg.tag == "RNG" and 0 <= price < len(line.prices) and text(seg, 0, 0) == QUANTITY_RANGE:
            line.prices[price].min_quantity = to_number(r.ctx, seg, text(seg, 1, 1), "C280/6162")


def render(doc: Catalogue, profile: PartnerProfile = GENERIC) -> list[Segment]:
    """The PRICAT body for a Catalogue."""
    w = Writer(profile)
    w.bgm(doc, "9", ACTION_OUT.get(doc.action, doc.action))
    w.dtm("137", doc.issued)
    w.dtm("194", doc.valid_from)
    w.dtm("206", doc.valid_to)
    w.notes(doc.notes)
    w.references(doc.references)
    w.parties(doc.parties)
    w.currency(doc.currency)
    w.add("PGI", "5")  # itemized: the lines follow
    for line in doc.lines:
        _line(w, line)
    return w.out


def _line(w: Writer, line: Line) -> None:
    """LIN, PIA, IMD, QTY, DTM, FTX, then each PRI with its RNG, in the order of the LIN group."""
    where = f"line {line.number}"
    w.lin(line, with_status=True)
    w.description(line.item.description)
    kinds = codelists.load("edifact_6063")
    for q in line.quantities:
        w.add("QTY", [kinds.code(q.kind, segment="QTY", element="C186/6063", where=where), w.num(q.value),
                      w.unit(q.unit, "QTY", "C186/6411", where)])
    w.dtm("194", line.valid_from)
    w.dtm("206", line.valid_to)
    w.notes(line.notes)
    unit = line.quantities[0].unit if line.quantities else "C62"
    for price in line.prices:
        w.price(price, where)
        if price.min_quantity is not None:
            w.add("RNG", QUANTITY_RANGE, [w.unit(price.unit or unit, "RNG", "C280/6411", where),
                                          w.num(price.min_quantity)])
