"""Defects name the message, the segment position and tag, the element and why; APERAK renders them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from hub.domain.acknowledgements import AckStatus
from hub.domain.documents import Document, Identifier, IdScheme, Party, PartyRole
from hub.domain.errors import MappingError, Problem
from mappings.edifact import desadv, invoic, orders, ordrsp, remadv
from mappings.edifact.aperak import read_aperak, render_aperak
from mappings.edifact.model import Message, Segment


def _message(*raw: str, mtype: str = "ORDERS") -> Message:
    segs = [Segment("UNH", [["M7"], [mtype, "D", "96A", "UN"]])]
    for text in raw:
        tag, *els = text.split("+")
        segs.append(Segment(tag, [e.split(":") for e in els]))
    segs.append(Segment("UNT", [[str(len(segs) + 1)], ["M7"]]))
    return Message("M7", mtype, "D", "96A", "UN", None, segs)


def _problem(message: Message, parse: Callable[[Message], Document] = orders.parse) -> Problem:
    with pytest.raises(MappingError) as info:
        parse(message)
    (problem,) = info.value.problems
    assert problem.message_ref == "M7"
    return problem


@pytest.mark.parametrize(("segments", "position", "tag", "element", "code"), [
    (("BGM+220++9",), 2, "BGM", "C106/1004", "MISSING"),
    (("BGM+220+A+9", "DTM+137:20241332:102"), 3, "DTM", "C507/2380", "BAD_DATE"),
    (("BGM+220+A+9", "DTM+137:2024-01-01:102"), 3, "DTM", "C507/2380", "BAD_DATE"),
    (("BGM+220+A+9", "LIN+1++X:SA", "QTY+21:ten"), 4, "QTY", "C186/6060", "NOT_NUMERIC"),
    (("BGM+220+A+9", "LIN+1++X:SA", "QTY+21"), 4, "QTY", "C186/6060", "MISSING"),
    (("BGM+220+A+9", "LIN+1++X:SA", "PRI+AAA:$1.10"), 4, "PRI", "C509/5118", "NOT_NUMERIC"),
    (("BGM+220+A+9", "UNS+S", "MOA+79:1e5"), 4, "MOA", "C516/5004", "NOT_NUMERIC"),
])
def test_defects_are_named(segments: tuple[str, ...], position: int, tag: str, element: str,
                           code: str) -> None:
    problem = _problem(_message(*segments))
    assert (problem.segment_position, problem.segment_tag, problem.element, problem.code) == (
        position, tag, element, code)


def test_a_message_without_bgm_is_rejected_for_every_family() -> None:
    for parse in (orders.parse, ordrsp.parse, desadv.parse, invoic.parse, remadv.parse):
        assert _problem(_message("DTM+137:20240101:102"), parse).element == "BGM"


def test_remittance_document_without_number() -> None:
    problem = _problem(_message("BGM+481+R1+9", "DOC+380", mtype="REMADV"), remadv.parse)
    assert (problem.segment_tag, problem.element, problem.segment_position) == ("DOC", "C503/1004", 3)


def test_dates_in_every_supported_format() -> None:
    doc = orders.parse(_message("BGM+220+A+9", "DTM+137:20240102030405:204", "DTM+2:20240105-20240107:718"))
    assert doc.issued == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert str(doc.delivery_date) == "2024-01-05"
    doc = orders.parse(_message("BGM+220+A+9", "DTM+137:202401020304-0300:303", "DTM+2:240105:101"))
    assert doc.issued == datetime(2024, 1, 2, 6, 4, tzinfo=UTC)
    assert isinstance(doc.issued, datetime) and doc.issued.utcoffset() == timedelta(hours=-3)
    assert str(doc.delivery_date) == "2024-01-05"


def test_aperak_names_each_business_problem() -> None:
    problems = [Problem("UNKNOWN_ITEM", "item 4711 is not known", message_ref="M7", segment_position=9,
                        segment_tag="LIN", element="C212/7140"),
                Problem("DUPLICATE_ORDER", "order PO-1 was already received")]
    buyer = Party(PartyRole.buyer, [Identifier("5412345000013", IdScheme.gln, "9")])
    body = render_aperak("PO-1", problems, referenced_message_ref="M7", parties=[buyer],
                         issued=datetime(2024, 3, 1, 12, 0, tzinfo=UTC))
    tags = [s.tag for s in body]
    assert tags == ["BGM", "DTM", "RFF", "RFF", "NAD", "ERC", "FTX", "ERC", "FTX"]
    assert body[0].elements == [["313"], ["APKPO-1"], ["9"], ["RE"]]
    assert body[2].elements == [["ON", "PO-1"]]
    assert [s.elements[0][0] for s in body if s.tag == "ERC"] == ["UNKITEM", "DUPORDER"]
    first_text = body[6].elements[3][0]
    assert "segment 9" in first_text and "LIN" in first_text and "item 4711" in first_text


def test_the_hubs_own_aperak_reads_back_as_the_partners_would_send_it() -> None:
    problems = [Problem("UNKNOWN_ITEM", "item 4711 is unknown"),
                Problem("DUPLICATE_ORDER", "order PO-1 was already received")]
    body = render_aperak("PO-1", problems, aperak_number="A00000001", referenced_message_ref="M7",
                         issued=datetime(2024, 3, 1, 12, 0, tzinfo=UTC))
    ack = read_aperak(Message("9", "APERAK", "D", "96A", "UN", None,
                              [Segment("UNH", [["9"], ["APERAK", "D", "96A", "UN"]]), *body,
                               Segment("UNT", [[str(len(body) + 2)], ["9"]])]))
    assert (ack.number, ack.message_ref, ack.status, ack.response) == (
        "A00000001", "9", AckStatus.rejected, "RE")
    assert ack.references == [("ON", "PO-1"), ("ACW", "M7")]
    assert [(e.code, e.agency) for e in ack.errors] == [("UNKITEM", "ZZZ"), ("DUPORDER", "ZZZ")]
    assert ack.errors[0].text is not None and "item 4711 is unknown" in ack.errors[0].text
    accepted = render_aperak("PO-1", [], rejected=False)
    assert read_aperak(Message("9", "APERAK", "D", "96A", "UN", None, [
        Segment("UNH"), *accepted, Segment("UNT")])).status is AckStatus.accepted
