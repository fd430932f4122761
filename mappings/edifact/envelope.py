"""EDIFACT envelope: bytes -> Interchange (UNA, UNB/UNZ, UNG/UNE, UNH/UNT) with named envelope Problems.

Positions in Problems: with a `message_ref`, `segment_position` counts within that message (UNH = 1, as
CONTRL's 0096 does); without one it counts in the interchange (UNB = 1, UNA not counted).
A missing UNZ is a warning: each message still proves its completeness by its UNT count (and two of the
corpus's good files end without UNZ); a message cut off before its UNT is an error.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime

from hub.domain.errors import Problem, ValidationError
from mappings.edifact.charsets import decode, read_header
from mappings.edifact.model import Interchange, Message, Segment, Separators
from mappings.edifact.tokenizer import default_separators, paused_gc, read_una, tokenize

_UNB_REQUIRED = (
    (0, 0, "S001/0001"), (0, 1, "S001/0002"), (1, 0, "S002/0004"), (2, 0, "S003/0010"),
    (3, 0, "S004/0017"), (3, 1, "S004/0019"), (4, 0, "0020"),
)
_UNH_REQUIRED = ((0, 0, "0062"), (1, 0, "S009/0065"), (1, 1, "S009/0052"), (1, 2, "S009/0054"),
                 (1, 3, "S009/0051"))


def _missing(segment: Segment, required: tuple[tuple[int, int, str], ...], position: int,
             message_ref: str | None = None) -> list[Problem]:
    return [Problem(code="MISSING", message=f"{segment.tag} element {name} is missing",
                    message_ref=message_ref, segment_position=position, segment_tag=segment.tag,
                    element=name)
            for element, component, name in required if not segment.get(element, component)]


def _prepared(segment: Segment, problems: list[Problem]) -> datetime | None:
    """UNB S004 date (YYMMDD or CCYYMMDD) and time (HHMM) as an aware UTC datetime."""
    date, time = segment.get(3, 0), segment.get(3, 1)
    if not date or not time:
        return None
    if len(date) == 6 and date.isdigit():
        year = int(date[:2])
        date = f"{2000 + year if year < 70 else 1900 + year}{date[2:]}"  # POSIX %y pivot
    try:
        if len(date) != 8 or len(time) != 4 or not (date + time).isdigit():
            raise ValueError
        return datetime.strptime(date + time, "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError:
        problems.append(Problem(code="INVALID_VALUE", segment_position=1, segment_tag="UNB",
                                element="S004", message=f"UNB date/time {date}:{time} is not a valid "
                                "YYMMDD or CCYYMMDD date and HHMM time"))
        return None


def _read_unb(unb: Segment, separators: Separators, codec: str,
              problems: list[Problem]) -> Interchange:
    problems.extend(_missing(unb, _UNB_REQUIRED, 1))
    return Interchange(
        syntax_id=unb.get(0, 0), syntax_version=unb.get(0, 1),
        sender=unb.get(1, 0), sender_qualifier=unb.get(1, 1) or None,
        recipient=unb.get(2, 0), recipient_qualifier=unb.get(2, 1) or None,
        control_ref=unb.get(4), prepared=_prepared(unb, problems),
        application_ref=unb.get(6) or None, ack_requested=unb.get(8) == "1", test=unb.get(10) == "1",
        separators=separators, encoding=codec,
    )


def _count(segment: Segment, element: str) -> int | None:
    value = segment.get(0)
    return int(value) if value.isdigit() else None


@dataclass
class _Splitter:
    """Walks the segments after UNB, splitting messages and checking the envelope."""

    interchange: Interchange
    problems: list[Problem]
    count_severity: str
    message: Message | None = None
    group: Segment | None = None
    group_messages: int = 0
    groups: int = 0
    loose_messages: int = 0
    packages: int = 0
    unz: Segment | None = None
    mixed_reported: bool = False
    messages: list[Message] = field(default_factory=list)

    def add(self, code: str, message: str, segment: Segment | None, *, element: str | None = None,
            severity: str = "error", in_message: Message | None = None) -> None:
        position = segment.position if segment else None
        ref = None
        if in_message is not None and segment is not None:
            ref = in_message.reference or None
            position = segment.position - in_message.segments[0].position + 1
        self.problems.append(Problem(code=code, message=message, message_ref=ref,
                                     segment_position=position, segment_tag=segment.tag if segment else None,
                                     element=element, severity=severity))

    def run(self, segments: list[Segment]) -> None:
        handlers = {"UNH": self.unh, "UNT": self.unt, "UNG": self.ung, "UNE": self.une, "UNZ": self.unz_}
        for segment in segments[1:]:
            if self.unz is not None:
                self.after_unz(segment)
                break
            handler = handlers.get(segment.tag)
            if handler is not None:
                handler(segment)
            elif self.message is not None:
                self.message.segments.append(segment)
            else:
                self.outside(segment)
        self.finish(segments[-1])

    def outside(self, segment: Segment) -> None:
        if segment.tag == "UNO":
            self.packages += 1
            self.add("PACKAGE_IGNORED", "a syntax 4 package (UNO...UNP) is not processed", segment,
                     severity="warning")
        elif segment.tag != "UNP" and len(segment.tag) == 3 and segment.tag.isalnum():
            self.add("SEGMENT_OUTSIDE_MESSAGE", f"segment {segment.tag} stands outside any message "
                     "(between UNT and UNH)", segment)

    def close_open_message(self, at: Segment) -> None:
        if self.message is not None:
            last = self.message.segments[-1]
            self.add("MISSING_UNT", f"message {self.message.reference!r} has no UNT (it ends before "
                     f"{at.tag} at segment {at.position})", last, element=None, in_message=self.message)
            self.messages.append(self.message)
            self.message = None

    def unh(self, segment: Segment) -> None:
        self.close_open_message(segment)
        if self.group is not None:
            self.group_messages += 1
        else:
            self.loose_messages += 1
            self.check_mixed(segment)
        g = segment.get
        self.message = Message(reference=g(0), type=g(1, 0), version=g(1, 1), release=g(1, 2),
                               agency=g(1, 3), association=g(1, 4) or None, segments=[segment],
                               group_reference=self.group.get(4) if self.group else None)
        self.problems.extend(_missing(segment, _UNH_REQUIRED, 1, g(0) or None))

    def unt(self, segment: Segment) -> None:
        message = self.message
        if message is None:
            self.add("SEGMENT_OUTSIDE_MESSAGE", "UNT without a UNH before it", segment)
            return
        message.segments.append(segment)
        declared, actual = _count(segment, "0074"), len(message.segments)
        if declared is None:
            self.add("INVALID_VALUE", f"UNT segment count {segment.get(0)!r} is not a number", segment,
                     element="0074", in_message=message)
        elif declared != actual:
            self.add("UNT_COUNT", f"UNT says {declared} segments, the message has {actual}", segment,
                     element="0074", severity=self.count_severity, in_message=message)
        if segment.get(1) != message.reference:
            self.add("UNT_REFERENCE", f"UNT reference {segment.get(1)!r} differs from UNH reference "
                     f"{message.reference!r}", segment, element="0062", in_message=message)
        self.messages.append(message)
        self.message = None

    def check_mixed(self, segment: Segment) -> None:
        if self.groups and self.loose_messages and not self.mixed_reported:
            self.mixed_reported = True
            self.add("MIXED_GROUPS_AND_MESSAGES", "messages stand both inside and outside functional "
                     "groups", segment)

    def ung(self, segment: Segment) -> None:
        self.close_open_message(segment)
        self.close_group(segment)
        self.group, self.group_messages = segment, 0
        self.groups += 1
        self.check_mixed(segment)
        if not segment.get(4):
            self.add("MISSING", "UNG element 0048 (group reference) is missing", segment, element="0048")

    def close_group(self, at: Segment) -> None:
        if self.group is not None:
            self.add("MISSING_UNE", f"functional group {self.group.get(4)!r} has no UNE (it ends before "
                     f"{at.tag} at segment {at.position})", self.group)
            self.group = None

    def une(self, segment: Segment) -> None:
        self.close_open_message(segment)
        group = self.group
        if group is None:
            self.add("SEGMENT_OUTSIDE_MESSAGE", "UNE without a UNG before it", segment)
            return
        declared = _count(segment, "0060")
        if declared != self.group_messages:
            self.add("UNE_COUNT", f"UNE says {segment.get(0)!r} messages, the group has "
                     f"{self.group_messages}", segment, element="0060", severity=self.count_severity)
        if segment.get(1) != group.get(4):
            self.add("UNE_REFERENCE", f"UNE reference {segment.get(1)!r} differs from UNG reference "
                     f"{group.get(4)!r}", segment, element="0048")
        self.group = None

    def unz_(self, segment: Segment) -> None:
        self.close_open_message(segment)
        self.close_group(segment)
        self.unz = segment

    def after_unz(self, segment: Segment) -> None:
        if segment.tag == "UNB":
            self.add("MULTIPLE_INTERCHANGES", "a second interchange (UNB) follows UNZ; send one "
                     "interchange per file", segment)
        else:
            self.add("JUNK_AFTER_UNZ", f"data after UNZ (segment {segment.tag[:3]!r})", segment)

    def finish(self, last: Segment) -> None:
        self.close_open_message(last)
        self.close_group(last)
        self.interchange.messages = self.messages
        if not self.messages:
            self.add("NO_MESSAGES", "the interchange contains no message", last)
        if self.unz is None:
            self.add("MISSING_UNZ", "the interchange has no UNZ trailer", last, severity="warning")
            return
        self.check_unz(self.unz)

    def check_unz(self, unz: Segment) -> None:
        expected = self.groups if self.groups else self.loose_messages + self.packages
        declared = _count(unz, "0036")
        what = "groups" if self.groups else "messages"
        if declared != expected:
            self.add("UNZ_COUNT", f"UNZ says {unz.get(0)!r} {what}, the interchange has {expected}",
                     unz, element="0036", severity=self.count_severity)
        if unz.get(1) != self.interchange.control_ref:
            self.add("UNZ_REFERENCE", f"UNZ reference {unz.get(1)!r} differs from UNB reference "
                     f"{self.interchange.control_ref!r}", unz, element="0020",
                     severity=self.count_severity)  # a trailer defect, like a wrong count


def _attach_to_messages(problems: list[Problem], messages: list[Message]) -> None:
    """Give tokenizer/charset Problems (interchange positions) their message and in-message position."""
    starts = [m.segments[0].position for m in messages]
    for problem in problems:
        if problem.message_ref is not None or problem.segment_position is None or not messages:
            continue
        i = bisect.bisect_right(starts, problem.segment_position) - 1
        if i < 0:
            continue
        message = messages[i]
        end = message.segments[-1].position
        if problem.segment_position <= end or (problem.segment_position == end + 1
                                              and message.segments[-1].tag != "UNT"):
            problem.message_ref = message.reference or None
            problem.segment_position = problem.segment_position - starts[i] + 1


def _recode_tail(problems: list[Problem], segments: list[Segment]) -> None:
    """A truncated 'segment' right after UNZ is junk after the interchange, not a truncation."""
    if segments and segments[-1].tag == "UNZ":
        for problem in problems:
            if problem.code == "TRUNCATED_SEGMENT" and problem.segment_position == len(segments) + 1:
                problem.code = "JUNK_AFTER_UNZ"
                problem.message = "data after UNZ: " + problem.message


def parse_interchange(data: bytes, *, tolerate_count_mismatch: bool = False) -> Interchange:
    """Parse one EDIFACT interchange; envelope defects are in `Interchange.problems`.

    Raises `ValidationError` only when nothing sensible can be returned: empty input, not EDIFACT, an
    unusable UNA or UNB. Count mismatches (UNT, UNE, UNZ) are warnings with `tolerate_count_mismatch`.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_interchange takes bytes")
    with paused_gc():  # the whole parse allocates millions of small lists; see tokenizer.paused_gc
        return _parse(bytes(data), tolerate_count_mismatch)


def _parse(data: bytes, tolerate_count_mismatch: bool) -> Interchange:
    header = read_header(data)
    default = header.separators or default_separators(header.syntax_version)
    problems: list[Problem] = []
    text, codec = decode(data, header.syntax_id, default, problems)
    separators, offset = read_una(text, default)
    segments = tokenize(text, separators, start=offset, problems=problems)
    if not segments or segments[0].tag != "UNB":
        raise ValidationError("not an EDIFACT interchange: no UNB", problems=[
            Problem(code="NOT_EDIFACT", message="the data does not start with UNB", segment_position=1)])
    interchange = _read_unb(segments[0], separators, codec, problems)
    syntax_problems = len(problems)
    splitter = _Splitter(interchange, problems, "warning" if tolerate_count_mismatch else "error")
    splitter.run(segments)
    _recode_tail(problems, segments)
    _attach_to_messages(problems[:syntax_problems], interchange.messages)
    interchange.problems = problems
    return interchange


def errors(interchange: Interchange) -> list[Problem]:
    """The Problems of an interchange that reject it (severity error)."""
    return [p for p in interchange.problems if p.severity == "error"]
