"""Shapes past the limits are refused by name, as soon as they are read; problems stay bounded."""

from __future__ import annotations

import pytest

from hub.config import Settings
from hub.domain.errors import ProblemLog
from hub.ingest.messages import Context, MessageJob, work
from mappings.edifact.envelope import open_interchange
from mappings.edifact.limits import LimitExceeded, Limits

UNB = "UNB+UNOC:3+5412345000013:14+4012345000009:14+250322:1200+L1'"


def _read(body: str, limits: Limits) -> list[str]:
    """Read an interchange lazily and split each message as the hub does; the limit's code."""
    with pytest.raises(LimitExceeded) as caught:  # the first chunk is read on opening
        reader = open_interchange((UNB + body).encode(), lazy=True, limits=limits)
        seps = reader.interchange.separators
        for position, message in enumerate(reader.messages(), 1):
            MessageJob.of(position, message, seps, limits).message(seps, limits)
    problem = caught.value.problems[0]
    return [problem.code, problem.message_ref, problem.segment_position, problem.segment_tag]


UNH = "UNH+1+ORDERS:D:96A:UN'"


@pytest.mark.parametrize(("body", "limits", "expected"), [
    (UNH * 4, Limits(interchange_messages=3), ["TOO_MANY_MESSAGES", None, 5, "UNH"]),
    (UNH + "FTX'" * 10, Limits(message_segments=5), ["TOO_MANY_SEGMENTS", "1", 2, "UNH"]),
    (UNH + "FTX+a:b+c:d'" * 3, Limits(message_values=5), ["MESSAGE_TOO_LARGE", "1", 1, "UNH"]),
    (UNH + "FTX" + "+" * 11 + "'", Limits(segment_elements=10),
     ["TOO_MANY_ELEMENTS", None, 3, "FTX"]),
    (UNH + "FTX+" + ":" * 10 + "'", Limits(element_components=10),
     ["TOO_MANY_COMPONENTS", None, 3, "FTX"]),
    (UNH + "FTX+" + "x" * 21 + "'", Limits(value_chars=20), ["ELEMENT_TOO_LONG", None, 3, "FTX"]),
    (UNH + "'" * 11, Limits(empty_segments=10), ["TOO_MANY_EMPTY_SEGMENTS", None, 2, None]),
])
def test_each_limit_is_named_when_passed(body, limits, expected):
    assert _read(body, limits) == expected


def test_a_segment_split_where_the_message_is_mapped_is_checked_there():
    # the second FTX is left whole by the lazy read; its split (in a worker) finds it too long
    body = UNH + "BGM+220+1+9'FTX+AAA'FTX+" + "x" * 21 + "'UNT+5+1'"
    limits = Limits(value_chars=20)
    reader = open_interchange((UNB + body).encode(), lazy=True)
    seps = reader.interchange.separators
    jobs = [MessageJob.of(1, message, seps) for message in reader.messages()]
    (result,) = work(Context(seps, {}, "p", limits=limits), jobs)
    (problem,) = result.invalid
    assert (problem.code, problem.message_ref, problem.segment_position) == ("ELEMENT_TOO_LONG",
                                                                              "1", 4)


def test_released_separators_are_data_not_elements():
    body = UNH + "FTX+AAA+++" + "a?+" * 50 + "'UNT+3+1'"
    reader = open_interchange((UNB + body).encode(), limits=Limits(segment_elements=10))
    (message,) = reader.messages()
    assert message.segments[1].get(3) == "a+" * 50


def test_the_defaults_accept_real_shapes_and_come_from_the_settings():
    limits = Limits()
    assert (limits.message_segments, limits.segment_elements, limits.value_chars) == (
        200_000, 100, 10_000)
    settings = Settings.from_env({"HUB_MAX_MESSAGE_SEGMENTS": "7", "HUB_MAX_EMPTY_SEGMENTS": "3"})
    assert (settings.max_message_segments, settings.max_empty_segments) == (7, 3)
    assert Settings().max_interchange_messages == 100_000


def test_a_million_defects_keep_a_bounded_list_and_their_count():
    body = UNH + "a'" * 5000  # not segment tags: one INVALID_TAG each
    reader = open_interchange((UNB + body).encode())
    list(reader.messages())
    problems = reader.interchange.problems
    assert isinstance(problems, ProblemLog) and len(problems) <= problems.limit
    kept = sum(1 for p in problems if p.code == "INVALID_TAG")
    assert kept + reader.unlisted_errors() >= 5000
