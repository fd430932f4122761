"""Placing a file's problems on the lines an operator reads."""

from __future__ import annotations

from hub.admin.rawview import edifact_segments, raw_view

INTERCHANGE = (b"UNA:+.? '\nUNB+UNOC:3+A:14+B:14+20240311:0930+R1'\nUNH+7+ORDERS:D:96A:UN'\n"
               b"FTX+AAI+++Gate 3?'s door'\nCNT+2:5'\nUNT+4+7'\nUNZ+1+R1'")


def test_segments_are_split_at_unreleased_terminators_with_the_una_on_its_own_line() -> None:
    segments = edifact_segments(INTERCHANGE.decode())
    assert segments[0] == "UNA:+.? '" and segments[3] == "FTX+AAI+++Gate 3?'s door'"
    assert len(segments) == 7


def test_a_message_problem_lands_on_its_segment_counted_from_its_unh() -> None:
    problem = {"code": "CNT_MISMATCH", "message": "x", "message_ref": "7", "segment_position": 3,
               "segment_tag": "CNT"}
    view = raw_view(INTERCHANGE, "edifact", [problem])
    assert [line.text for line in view.lines if line.problems] == ["CNT+2:5'"] and view.unplaced == []


def test_an_interchange_problem_counts_from_unb_and_a_wrong_tag_is_not_guessed() -> None:
    on_unz = {"code": "UNZ_COUNT", "message": "x", "segment_position": 6, "segment_tag": "UNZ"}
    elsewhere = {"code": "X", "message": "x", "segment_position": 2, "segment_tag": "BGM"}
    view = raw_view(INTERCHANGE, "edifact", [on_unz, elsewhere])
    assert [line.text for line in view.lines if line.problems] == ["UNZ+1+R1'"]
    assert view.unplaced == [elsewhere]


def test_an_xml_problem_marks_its_line() -> None:
    xml = b"<a>\n  <b>1</b>\n  <c>x</c>\n</a>"
    view = raw_view(xml, "xml", [{"code": "XSD", "message": "bad c", "segment_position": 3}])
    assert [line.number for line in view.lines if line.problems] == [3]
