"""CONTRL: accepting and rejecting interchanges down to segment and element; it parses back.
Reading partners' CONTRLs and APERAKs: every position, bounded, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.domain.acknowledgements import MAX_ERRORS, MAX_REPORTED, AckStatus, InterchangeAck
from hub.domain.errors import MappingError, Problem
from mappings.edifact.aperak import read_aperak
from mappings.edifact.contrl import (
    contrl_as_message,
    contrl_envelope,
    read_contrl,
    render_contrl,
    syntax_error_code,
)
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Message, Segment, Separators
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


# Reading a partner's CONTRL (read_contrl): what the hub writes, it reads back the same.

def _read(segments: list) -> InterchangeAck:
    return read_contrl(contrl_as_message(segments))


def test_the_hubs_own_rejection_reads_back_with_every_position() -> None:
    ich = parse_interchange(f"{UNB}{MSG.replace('UNT+4', 'UNT+9')}UNZ+1+REF9'".encode())
    problem = Problem(code="NOT_NUMERIC", message="'1020A' is not a number", message_ref="M1",
                      segment_position=3, segment_tag="QTY", element="C186/6060")
    segments = render_contrl(ich, [*ich.problems, problem], control_ref="C1",
                             element_locator=lambda tag, el: (2, 2) if el == "C186/6060" else None)
    ack = _read(segments)
    assert (ack.control_ref, ack.sender, ack.recipient, ack.contrl_ref) == (
        "REF1", "5412345000013", "4012345000009", "C1")
    assert ack.status is AckStatus.rejected and ack.overall is AckStatus.rejected
    (unz,) = ack.errors
    assert (unz.code, unz.service_segment, unz.element_position, unz.description) == (
        "28", "UNZ", 3, "references do not match")
    (message,) = ack.messages
    assert (message.reference, message.message_type, message.status) == (
        "M1", "ORDERS:D:96A:UN:EAN008", AckStatus.rejected)
    assert [(e.code, e.service_segment, e.segment_position, e.element_position,
             e.component_position) for e in message.errors] == [
        ("29", "UNT", None, 2, None), ("37", None, 3, 2, 2)]


def test_an_accepting_interchange_with_a_rejected_message_is_partly_rejected() -> None:
    ich = parse_interchange(f"{UNB}{MSG}{MSG.replace('M1', 'M2')}UNZ+2+REF1'".encode())
    problem = Problem(code="MISSING", message="BGM missing", message_ref="M2",
                      segment_position=2, segment_tag="BGM")
    ack = _read(render_contrl(ich, [problem], control_ref="C1", all_or_nothing=False))
    assert ack.status is AckStatus.accepted
    assert [(m.reference, m.status) for m in ack.messages] == [
        ("M1", AckStatus.accepted), ("M2", AckStatus.rejected)]
    assert ack.overall is AckStatus.partly_rejected
    assert ack.as_dict()["status"] == "partly_rejected"


def test_groups_and_syntax_3_codes_are_read() -> None:
    segments = [Segment("UNH", [["C9"], ["CONTRL", "D", "3", "UN"]]),
                Segment("UCI", [["REF7"], ["HUB"], ["PARTNER", "ZZ"], ["7"]]),
                Segment("UCF", [["G1"], ["HUB"], ["PARTNER"], ["4"], ["29"], ["UNE"]]),
                Segment("UCM", [["1"], ["INVOIC", "D", "96A", "UN"], ["4"]]),
                Segment("UCS", [["7"], ["13"]]),
                Segment("UNT", [["6"], ["C9"]])]
    ack = _read(segments)
    (group,) = ack.groups
    assert (group.reference, group.status, group.errors[0].service_segment) == (
        "G1", AckStatus.rejected, "UNE")
    (message,) = ack.messages
    assert message.group_reference == "G1" and message.errors[0].segment_position == 7
    assert ack.overall is AckStatus.partly_rejected
    received = [Segment("UNH", [["C1"], ["CONTRL", "D", "3", "UN"]]),
                Segment("UCI", [["REF7"], ["HUB"], ["PARTNER"], ["8"]]),
                Segment("UNT", [["3"], ["C1"]])]
    assert _read(received).overall is AckStatus.received


def test_an_unknown_action_code_or_a_missing_uci_is_named() -> None:
    bad = [Segment("UNH", [["C1"], ["CONTRL", "D", "3", "UN"]], 1),
           Segment("UCI", [["REF7"], ["HUB"], ["PARTNER"], ["9"]], 2),
           Segment("UNT", [["3"], ["C1"]], 3)]
    with pytest.raises(MappingError) as info:
        _read(bad)
    (problem,) = info.value.problems
    assert (problem.code, problem.segment_tag, problem.element, problem.segment_position,
            problem.message_ref) == ("INVALID_CODE", "UCI", "0083", 2, "C1")
    with pytest.raises(MappingError) as info:
        _read([bad[0], bad[2]])
    assert info.value.problems[0].code == "MISSING_SEGMENT"


_components = st.lists(st.text(alphabet="0123456789ACEGINRUZ:", max_size=6), min_size=1, max_size=4)
_segments = st.lists(st.builds(
    Segment, st.sampled_from(["UCI", "UCM", "UCS", "UCD", "UCF", "FTX"]),
    st.lists(_components, max_size=8), st.integers(1, 99)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(body=_segments)
def test_any_contrl_body_is_read_or_refused_by_name(body: list[Segment]) -> None:
    message = Message("C1", "CONTRL", "D", "3", "UN", None,
                      [Segment("UNH", [["C1"], ["CONTRL", "D", "3", "UN"]], 1), *body,
                       Segment("UNT", [[str(len(body) + 2)], ["C1"]], len(body) + 2)])
    try:
        ack = read_contrl(message)
    except MappingError as exc:
        assert exc.problems and exc.problems[0].segment_tag in ("UCI", "UCM", "UCF")
        return
    assert ack.as_dict()["status"] in {s.value for s in AckStatus}


@settings(max_examples=300, deadline=None)
@given(body=st.lists(st.builds(
    Segment, st.sampled_from(["BGM", "RFF", "DOC", "ERC", "FTX", "NAD", "DTM"]),
    st.lists(_components, max_size=6)), max_size=12))
def test_any_aperak_body_is_read(body: list[Segment]) -> None:
    ack = read_aperak(Message("A1", "APERAK", "D", "96A", "UN", None,
                              [Segment("UNH"), *body, Segment("UNT")]))
    assert ack.as_dict()["status"] in {s.value for s in AckStatus}


def test_a_huge_contrl_is_counted_whole_and_kept_in_part() -> None:
    ucms = [Segment("UCM", [[str(n)], ["INVOIC", "D", "96A", "UN"], ["7"]]) for n in range(1, 1500)]
    rejected = Segment("UCM", [["1500"], ["INVOIC", "D", "96A", "UN"], ["4"]])
    segments = [Segment("UNH", [["C1"], ["CONTRL", "D", "3", "UN"]]),
                Segment("UCI", [["REF7"], ["HUB"], ["PARTNER"], ["7"]]), *ucms, rejected,
                *[Segment("UCS", [[str(n)], ["13"]]) for n in range(1, 300)],
                Segment("UNT", [["1803"], ["C1"]])]
    ack = _read(segments)
    assert (ack.parts_total, len(ack.messages)) == (1500, MAX_REPORTED)
    assert ack.overall is AckStatus.partly_rejected  # the rejection past the kept ones counts
    assert ack.as_dict()["parts_total"] == 1500
    first = _read([segments[0], segments[1], ucms[0], *segments[-300:]])
    assert len(first.messages[0].errors) == MAX_ERRORS


def test_an_aperak_with_many_errors_keeps_the_first_and_counts_them_all() -> None:
    body = [Segment("BGM", [["313"], ["APK1"], ["9"], ["RE"]]), Segment("RFF", [["ON", "PO-1"]])]
    for n in range(150):
        body += [Segment("ERC", [[f"E{n}", "", "ZZZ"]]), Segment("FTX", [["AAO"], [], [], [f"t{n}"]])]
    ack = read_aperak(Message("A1", "APERAK", "D", "96A", "UN", None,
                              [Segment("UNH"), *body, Segment("UNT")]))
    assert (len(ack.errors), ack.errors_total) == (MAX_ERRORS, 150)
    assert (ack.errors[-1].code, ack.errors[-1].text) == ("E99", "t99")
    assert ack.references == [("ON", "PO-1")] and ack.status is AckStatus.rejected

