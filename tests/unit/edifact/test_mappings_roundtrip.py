"""What render produces parses back to the same canonical document, through the real serializer and
envelope parser, for every message family and for a partner writing decimal commas."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from hub.domain.codec import dumps
from hub.domain.documents import (
    Document,
    Identifier,
    IdScheme,
    Item,
    Line,
    Party,
    PartyRole,
    PurchaseOrder,
    Quantity,
)
from mappings.edifact import registry
from mappings.edifact.model import Message, Separators
from mappings.edifact.profile import PartnerProfile
from mappings.edifact.serializer import Envelope, render_interchange
from tests.unit.edifact._adapter import load
from tests.unit.edifact._profiles import FIXTURES, profile_for
from tests.unit.edifact._util import parse_file

FILES = sorted(FIXTURES.glob("*.edi"))


def _round_trip(doc: Document, message_type: str, profile: PartnerProfile, tmp_path: Path) -> Document:
    mapping = registry.lookup(message_type, profile.directory, registry.OUTBOUND, profile.partner_id)
    body = mapping.render(doc, profile)
    message = Message("RT1", message_type, profile.directory[0], profile.directory[1:], "UN",
                      profile.association, body)
    separators = Separators(decimal=profile.decimal_mark)
    data = render_interchange(Envelope("SENDER", "RECIPIENT", "RT0001"), [message], separators=separators,
                              una=True, newline=True)
    path = tmp_path / "rt.edi"
    path.write_bytes(data)
    interchange = load(path, tolerate_count_mismatch=False)
    assert not [p for p in interchange.problems if p.severity == "error"], interchange.problems
    (parsed,) = interchange.messages
    back = registry.lookup(message_type, parsed.directory).parse(
        parsed, profile, decimal_mark=interchange.separators.decimal)
    assert isinstance(back, Document)
    return back


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_rendered_fixture_parses_back_to_the_same_document(path: Path, tmp_path: Path) -> None:
    profile = profile_for(path)
    (doc,) = parse_file(path, profile)
    message_type = load(path).messages[0].type
    back = _round_trip(doc, message_type, profile, tmp_path)
    assert dumps(back) == dumps(doc)


def test_decimal_comma_partner_gets_commas_and_reads_them_back(tmp_path: Path) -> None:
    profile = PartnerProfile(partner_id="comma", decimal_mark=",")
    # a document built by hand, with the raw codes the parser records (type code, NAD qualifier)
    doc = PurchaseOrder(number="PO-1", issued=datetime(2024, 1, 2, 3, 4, tzinfo=UTC), currency="EUR",
                        type_code="220",
                        parties=[Party(PartyRole.buyer, [Identifier("5412345000013", IdScheme.gln, "9")],
                                       raw_role="BY")],
                        lines=[Line("1", Item(gtin="5410000100016"),
                                        [Quantity(Decimal("2.5"), "KGM")], delivery_date=date(2024, 1, 9))])
    body = registry.lookup("ORDERS", "D96A", registry.OUTBOUND).render(doc, profile)
    assert any(s.tag == "QTY" and s.elements[0][1] == "2,5" for s in body)
    assert dumps(_round_trip(doc, "ORDERS", profile, tmp_path)) == dumps(doc)
