"""Rendering: escaping of every service character, envelopes with right counts, round trip via the parser."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Message, Segment, Separators
from mappings.edifact.serializer import Envelope, escape, render_interchange, serialize_segments
from mappings.edifact.tokenizer import REPETITION_MARK

ENV = Envelope(sender="HUB", sender_qualifier="ZZ", recipient="5412345000013", recipient_qualifier="14",
               control_ref="42", prepared=datetime(2025, 3, 22, 12, 5, tzinfo=UTC))


def order(ref: str, *segments: Segment) -> Message:
    return Message(reference=ref, type="ORDERS", version="D", release="96A", agency="UN",
                   association="EAN008", segments=list(segments))


def test_every_service_character_is_released() -> None:
    assert escape("a+b:c'd?e*f", Separators(repetition="*")) == "a?+b?:c?'d??e?*f"
    assert escape("plain", Separators()) == "plain"


def test_segments_serialize_without_trailing_empty_elements() -> None:
    segments = [Segment("NAD", [["BY"], ["123", "", "9"], [""], [""]]), Segment("FTX", [["A", ""], ["x?y"]])]
    assert serialize_segments(segments, Separators()) == "NAD+BY+123::9'FTX+A+x??y'"


def test_repetitions_use_the_repetition_separator() -> None:
    segment = Segment("COM", [["a", "TE", REPETITION_MARK, "b", "EM"]])
    assert serialize_segments([segment], Separators(repetition="*")) == "COM+a:TE*b:EM'"


def test_interchange_has_right_counts_and_parses_back() -> None:
    body = [Segment("BGM", [["220"], ["PO-1"], ["9"]]), Segment("DTM", [["137", "20250322", "102"]])]
    data = render_interchange(ENV, [order("1", *body), order("2", *body)])
    text = data.decode("latin-1")
    assert text.startswith("UNB+UNOC:3+HUB:ZZ+5412345000013:14+250322:1205+42'UNH+1+ORDERS:D:96A:UN:EAN008'")
    assert "UNT+4+1'" in text and "UNT+4+2'" in text and text.endswith("UNZ+2+42'")
    ich = parse_interchange(data)
    assert ich.problems == []
    assert [m.reference for m in ich.messages] == ["1", "2"]
    assert (ich.sender, ich.recipient_qualifier, ich.control_ref) == ("HUB", "14", "42")


def test_una_written_for_other_separators_and_utf8_encoded() -> None:
    seps = Separators(component="|", element="^", decimal=",", release="#", segment="~")
    env = Envelope(sender="S", recipient="R", control_ref="7", syntax_id="UNOY", prepared=ENV.prepared)
    data = render_interchange(env, [order("1", Segment("FTX", [["AAA"], [""], [""], ["Zoë ^~#|"]]))],
                              separators=seps)
    assert data.startswith(b"UNA|^,# ~")
    ich = parse_interchange(data)
    assert ich.problems == []
    assert ich.messages[0].segments[1].get(3) == "Zoë ^~#|"


_text = st.text(alphabet=st.sampled_from(list("AZaz09 .,-?+:'*/éÜ")), max_size=12)
_element = st.lists(_text, min_size=1, max_size=4)
_segment = st.builds(lambda tag, els: Segment(tag, els),
                     st.sampled_from(["BGM", "FTX", "NAD", "LIN", "QTY", "IMD"]),
                     st.lists(_element, min_size=1, max_size=6))


def _trimmed(segment: Segment) -> tuple[str, list[list[str]]]:
    elements = []
    for element in segment.elements:
        comps = list(element)
        while len(comps) > 1 and comps[-1] == "":
            comps.pop()
        elements.append(comps)
    while elements and elements[-1] == [""]:
        elements.pop()
    return segment.tag, elements


@settings(max_examples=150, deadline=None)
@given(st.lists(_segment, min_size=1, max_size=8), st.booleans())
def test_rendered_segments_parse_back_the_same(body: list[Segment], syntax4: bool) -> None:
    env = Envelope(sender="S", recipient="R", control_ref="9", syntax_id="UNOC",
                   syntax_version="4" if syntax4 else "3", prepared=ENV.prepared)
    ich = parse_interchange(render_interchange(env, [order("1", *body)]))
    assert [p for p in ich.problems if p.code != "REPERTOIRE"] == []
    parsed = ich.messages[0].body()
    assert [_trimmed(s) for s in parsed] == [_trimmed(s) for s in body]
