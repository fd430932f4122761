"""DESADV <-> DespatchAdvice: CPS/PAC package levels are flattened to lines; an SSCC (GIN+BJ) of the
package a line is packed in becomes a line reference of kind "sscc", and rendering regroups by it."""

from __future__ import annotations

from hub.domain.documents import DespatchAdvice, Reference
from hub.domain.errors import Problem
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.reader import read
from mappings.edifact.writer import Writer

MESSAGE_TYPE = "DESADV"
DELIVERY = ("17", "132", "2", "35", "191", "64", "63")


def parse(message: Message, profile: PartnerProfile = GENERIC, *, decimal_mark: str = ".",
          warnings: list[Problem] | None = None) -> DespatchAdvice:
    """A DESADV message as a DespatchAdvice."""
    r = read(message, profile, decimal_mark, warnings)
    doc = DespatchAdvice(number=r.number or "")
    r.fill(doc)
    doc.despatch_date = r.first_date(("11",))
    doc.delivery_date = r.first_date(DELIVERY)
    doc.order_number = r.reference_number("order")
    return doc


def render(doc: DespatchAdvice, profile: PartnerProfile = GENERIC) -> list[Segment]:
    """The DESADV body for a DespatchAdvice."""
    w = Writer(profile)
    w.bgm(doc, "351")
    w.dtm("137", doc.issued)
    w.dtm("11", doc.despatch_date)
    w.dtm("17", doc.delivery_date)
    refs = list(doc.references)
    if doc.order_number and not any(r.kind == "order" for r in refs):
        refs.insert(0, Reference("order", doc.order_number, raw_kind="ON"))
    w.references(refs)
    w.parties(doc.parties)
    w.packages(doc.lines, notes=doc.notes)
    w.add("CNT", ["2", str(len(doc.lines))])
    return w.out
