"""CNT+2 against the LIN segments of a message."""

from __future__ import annotations

from mappings.edifact.controls import line_count_problems
from mappings.edifact.model import Message, Segment


def _message(lins: int, cnt: str | None) -> Message:
    body = [Segment("UNH", [["1"], ["ORDERS", "D", "96A", "UN"]]), Segment("BGM", [["220"], ["1"]])]
    body += [Segment("LIN", [[str(n)]]) for n in range(1, lins + 1)]
    if cnt is not None:
        body += [Segment("UNS", [["S"]]), Segment("CNT", [["2", cnt]])]
    return Message("1", "ORDERS", "D", "96A", "UN", None, [*body, Segment("UNT", [["9"], ["1"]])])


def test_matching_absent_or_non_numeric_counts_say_nothing() -> None:
    assert line_count_problems(_message(3, "3")) == []
    assert line_count_problems(_message(3, None)) == []
    assert line_count_problems(_message(3, "x")) == []  # the structure check names that one


def test_a_wrong_count_names_the_cnt_segment_and_is_tolerable() -> None:
    (problem,) = line_count_problems(_message(2, "5"))
    assert (problem.code, problem.segment_tag, problem.segment_position, problem.severity) == (
        "CNT_MISMATCH", "CNT", 6, "error")
    assert line_count_problems(_message(2, "5"), tolerate=True)[0].severity == "warning"
