"""CONTRL: accepting and rejecting interchanges down to segment and element; it parses back."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.domain.errors import Problem
from mappings.edifact.contrl import contrl_as_message, contrl_envelope, render_contrl, syntax_error_code
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Separators
from mappings.edifact.serializer import render_interchange, serialize_segments

UNB = "UNB+UNOC:3+5412345000013:14+4012345000009:14+250322:1200+REF1++++1'"
MSG = "UNH+M1+ORDERS:D:96A:UN:EAN008'BGM+220+PO1+9'QTY+21:1020A'UNT+4+M1'"


def _text(segments: list) -> str:
    return serialize_segments(segments, Separators())


def test_clean_interchange_is_accepted() -> None:
    ich = parse_interchange(f"{UNB}{MSG}UNZ+1+REF1'".encode())
    text = _text(render_contrl(ich, ich.problems, control_ref="C1"))
    assert text == ("UNH+C1+CONTRL:D:3:UN'UCI+REF1+5412345000013:14+4012345000009:14+7'"
                    "UCM+M1+ORDERS:D:96A:UN:EAN008+7'UNT+4+C1'")


def test_rejection_names_segment_and_element_of_a_body_problem() -> None:
    ich = parse_interchange(f"{UNB}{MSG}UNZ+1+REF1'".encode())
    problem = Problem(code="NOT_NUMERIC", message="'1020A' is not a number", message_ref="M1",
                      segment_position=3, segment_tag="QTY", element="C186/6060")
    text = _text(render_contrl(ich, [problem], control_ref="C1",
                               element_locator=lambda tag, el: (2, 2) if el == "C186/6060" else None))
    assert "UCI+REF1+5412345000013:14+4012345000009:14+4'" in text
    assert "UCM+M1+ORDERS:D:96A:UN:EAN008+4'UCS+3'UCD+37+2:2'" in text


def test_unt_count_error_goes_into_ucm_and_unz_errors_into_uci() -> None:
    ich = parse_interchange(f"{UNB}{MSG.replace('UNT+4', 'UNT+9')}UNZ+1+REF9'".encode())
    text = _text(render_contrl(ich, ich.problems, control_ref="C1"))
    assert "UCI+REF1+5412345000013:14+4012345000009:14+4+28+UNZ+3'" in text
    assert "UCM+M1+ORDERS:D:96A:UN:EAN008+4+29+UNT+2'" in text


def test_segment_level_error_without_element_goes_on_ucs() -> None:
    ich = parse_interchange(f"{UNB}{MSG}UNZ+1+REF1'".encode())
    problem = Problem(code="TOO_MANY_REPETITIONS", message="DTM repeated", message_ref="M1",
                      segment_position=2, segment_tag="BGM")
    assert "UCS+2+35'" in _text(render_contrl(ich, [problem], control_ref="C1"))


def test_warnings_do_not_reject() -> None:
    ich = parse_interchange(f"{UNB}{MSG}UNZ+1+REF1'".encode())
    warning = Problem(code="UNT_COUNT", message="tolerated", message_ref="M1", segment_position=4,
                      segment_tag="UNT", element="0074", severity="warning")
    assert "+7'" in _text(render_contrl(ich, [warning], control_ref="C1"))


def test_problem_codes_map_to_0085() -> None:
    assert syntax_error_code(Problem(code="UNT_COUNT", message="")) == "29"
    assert syntax_error_code(Problem(code="SOMETHING_NEW", message="")) == "18"


def test_contrl_wrapped_in_reversed_envelope_parses_back() -> None:
    ich = parse_interchange(f"{UNB}{MSG.replace('UNT+4', 'UNT+9')}UNZ+1+REF1'".encode())
    segments = render_contrl(ich, ich.problems, control_ref="C1")
    env = contrl_envelope(ich, control_ref="HUB1", prepared=datetime(2025, 3, 22, 13, 0, tzinfo=UTC))
    data = render_interchange(env, [contrl_as_message(segments)])
    back = parse_interchange(data)
    assert back.problems == []
    assert (back.sender, back.sender_qualifier, back.recipient) == ("4012345000009", "14", "5412345000013")
    [message] = back.messages
    assert message.type == "CONTRL" and message.directory == "D3"
    assert [s.tag for s in message.segments] == [s.tag for s in segments]
    assert [s.elements for s in message.segments] == [s.elements for s in segments]
