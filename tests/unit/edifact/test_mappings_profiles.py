"""Partner differences are data: one mapping, two partners, two profiles; and the registry's overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hub.domain.documents import IdScheme, PartyRole, PurchaseOrder
from hub.domain.errors import UnsupportedContent
from mappings.edifact import orders, registry
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile


def _message(*raw: str) -> Message:
    """A message from segment texts like "QTY+21:5:PCS" (no release characters needed here)."""
    segs = [Segment("UNH", [["1"], ["ORDERS", "D", "96A", "UN"]])]
    for text in raw:
        tag, *els = text.split("+")
        segs.append(Segment(tag, [e.split(":") for e in els]))
    segs.append(Segment("UNT", [[str(len(segs) + 1)], ["1"]]))
    return Message("1", "ORDERS", "D", "96A", "UN", None, segs)


# The same order as two partners write it: different NAD qualifier, id agency, unit codes, item type.
NORDIC = _message("BGM+220+N-1+9", "NAD+KÄ+7350000000001::ZZZ", "NAD+SU+7350000000009::9",
                  "LIN+1++A-77:BY", "QTY+21:12:STY")
IBERIA = _message("BGM+220+I-1+9", "NAD+BY+B12345678::ZZZ", "NAD+SU+8400000000000::9",
                  "LIN+1++A-77:IN", "QTY+21:12:UNI")

NORDIC_PROFILE = PartnerProfile(partner_id="nordic", party_roles={"KÄ": "buyer"},
                                party_agencies={"ZZZ": "gln"}, item_types={"BY": "buyer"},
                                unit_codes={"STY": "C62"}, item_xref={"A-77": "OUR-77"})
IBERIA_PROFILE = PartnerProfile(partner_id="iberia", party_agencies={"ZZZ": "vat"},
                                unit_codes={"UNI": "C62"}, item_xref={"A-77": "OUR-77"})


def test_two_partners_with_different_conventions_give_the_same_canonical_facts() -> None:
    nordic = orders.parse(NORDIC, NORDIC_PROFILE)
    iberia = orders.parse(IBERIA, IBERIA_PROFILE)
    for doc, buyer_scheme in ((nordic, IdScheme.gln), (iberia, IdScheme.vat)):
        buyer = doc.party(PartyRole.buyer)
        assert buyer is not None and buyer.ids[0].scheme == buyer_scheme
        line = doc.lines[0]
        assert (line.item.buyer_number, line.item.our_number) == ("A-77", "OUR-77")
        assert line.quantities[0].unit == "C62" and line.quantities[0].value == 12


def test_without_the_profile_the_partner_codes_stay_raw() -> None:
    doc = orders.parse(NORDIC, GENERIC)
    assert doc.party(PartyRole.buyer) is None
    assert doc.lines[0].item.buyer_number is None and doc.lines[0].item.our_number is None
    assert doc.lines[0].quantities[0].unit == "STY"


def test_render_speaks_the_partners_codes() -> None:
    doc = orders.parse(NORDIC, NORDIC_PROFILE)
    body = orders.render(doc, NORDIC_PROFILE)
    nad = next(s for s in body if s.tag == "NAD")
    assert nad.elements[0] == ["KÄ"] and nad.elements[1] == ["7350000000001", "", "ZZZ"]
    qty = next(s for s in body if s.tag == "QTY")
    assert qty.elements[0] == ["21", "12", "STY"]
    assert orders.parse(_with_envelope(body), NORDIC_PROFILE) == doc


def _with_envelope(body: list[Segment]) -> Message:
    segs = [Segment("UNH", [["1"], ["ORDERS", "D", "96A", "UN"]]), *body, Segment("UNT", [["0"], ["1"]])]
    return Message("1", "ORDERS", "D", "96A", "UN", None, segs)


def test_partner_specific_mapping_beats_the_generic_one() -> None:
    def parse(message: Message, profile: PartnerProfile = GENERIC, **kw: object) -> PurchaseOrder:
        doc = orders.parse(message, profile, **kw)  # type: ignore[arg-type]
        doc.notes.append("special")
        return doc

    special = registry.MessageMapping("ORDERS", parse, orders.render, "special")
    registry.register(special, directions=(registry.INBOUND,), partner="nordic")
    try:
        assert registry.lookup("ORDERS", "D96A", registry.INBOUND, "nordic") is special
        generic = "mappings.edifact.orders"
        assert registry.lookup("ORDERS", "D96A", registry.INBOUND, "iberia").name == generic
        assert registry.lookup("ORDERS", "D96A", registry.OUTBOUND, "nordic").name == generic
        doc = registry.lookup("ORDERS", "D96A", partner="nordic").parse(NORDIC, NORDIC_PROFILE)
        assert doc.notes == ["special"]
    finally:
        registry.unregister("ORDERS", direction=registry.INBOUND, partner="nordic")


def test_every_family_is_registered_and_unknown_types_are_named() -> None:
    assert registry.supported() == ["DESADV", "INVOIC", "INVRPT", "ORDCHG", "ORDERS", "ORDRSP", "PRICAT",
                                    "REMADV"]
    with pytest.raises(UnsupportedContent) as info:
        registry.lookup("IFTMIN", "D96A")
    assert info.value.problems[0].element == "S009/0065" and "IFTMIN" in info.value.message


def test_profile_default_currency_fills_a_message_without_cux() -> None:
    doc = orders.parse(IBERIA, PartnerProfile(default_currency="EUR"))
    assert doc.currency == "EUR" and doc.lines[0].quantities[0].value == Decimal(12)
