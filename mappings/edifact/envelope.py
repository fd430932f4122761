"""EDIFACT envelope: bytes -> Interchange (UNA, UNB/UNZ, UNG/UNE, UNH/UNT) with named envelope Problems.

Positions in Problems: with a `message_ref`, `segment_position` counts within that message (UNH = 1, as
CONTRL's 0096 does); without one it counts in the interchange (UNB = 1, UNA not counted).
A missing UNZ is a warning: each message still proves its completeness by its UNT count (and two of the
corpus's good files end without UNZ); a message cut off before its UNT is an error.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import chain
from typing import Any, cast

from hub.domain.errors import Problem, ProblemLog, ValidationError
from mappings.edifact.charsets import decode, read_header
from mappings.edifact.limits import DEFAULT, Limits, exceeded
from mappings.edifact.model import Interchange, Message, Segment, Separators
from mappings.edifact.tokenizer import (
    LazyBatch,
    default_separators,
    lazy_batches,
    lazy_segment,
    paused_gc,
    read_una,
    segment_batches,
    text_segment,
)

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
    if len(date) == 6 and date.isascii() and date.isdigit():
        year = int(date[:2])
        date = f"{2000 + year if year < 70 else 1900 + year}{date[2:]}"  # POSIX %y pivot
    try:
        if len(date) != 8 or len(time) != 4 or not ((date + time).isascii() and (date + time).isdigit()):
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


def _count(segment: Segment) -> int | None:
    value = segment.get(0)
    return int(value) if value.isascii() and value.isdigit() else None  # "²".isdigit() is True


class _Splitter:
    """Walks the segments after UNB, splitting messages and checking the envelope as it goes.

    Closed messages wait in `outbox` until the caller takes them. Syntax Problems (charset, tokenizer)
    with interchange positions wait in `pending` until the message they fall in is closed.
    """

    def __init__(self, interchange: Interchange, problems: list[Problem], count_severity: str,
                 limits: Limits = DEFAULT) -> None:
        self.interchange = interchange
        self.problems = problems  # envelope problems, in the order found
        self.count_severity = count_severity
        self.limits = limits
        self.message: Message | None = None
        self.group: Segment | None = None
        self.group_messages = 0
        self.groups = 0
        self.loose_messages = 0
        self.packages = 0
        self.unz: Segment | None = None
        self.mixed_reported = False
        self.closed = 0  # messages closed so far
        self.outbox: list[Message] = []
        self.pending: list[Problem] = []

    def add(self, code: str, message: str, segment: Segment | None, *, element: str | None = None,
            severity: str = "error", in_message: Message | None = None) -> None:
        position = segment.position if segment else None
        ref = None
        if in_message is not None and segment is not None:
            ref = in_message.reference or None
            position = segment.position - in_message.segments[0].position + 1
        problem = Problem(code=code, message=message, message_ref=ref, segment_position=position,
                          segment_tag=segment.tag if segment else None, element=element, severity=severity)
        self.problems.append(problem)
        self.interchange.problems.append(problem)

    def outside(self, segment: Segment) -> None:
        if segment.tag == "UNO":
            self.packages += 1
            self.add("PACKAGE_IGNORED", "a syntax 4 package (UNO...UNP) is not processed", segment,
                     severity="warning")
        elif segment.tag != "UNP" and len(segment.tag) == 3 and segment.tag.isalnum():
            self.add("SEGMENT_OUTSIDE_MESSAGE", f"segment {segment.tag} stands outside any message "
                     "(between UNT and UNH)", segment)

    def emit(self, message: Message, next_starts: bool) -> None:
        """Close `message`: give it the syntax Problems inside it and put it in the outbox."""
        if self.pending:
            self.attach(message, next_starts)
        self.closed += 1
        self.outbox.append(message)

    def attach(self, message: Message, next_starts: bool) -> None:
        """Syntax Problems within `message` get its reference and in-message positions.

        One right after a message cut off before its UNT is its too, unless the next message starts
        there (then it is that message's first segment). One before the message belongs to none.
        """
        segments = message.segments
        start = segments[0].position
        end = start + len(segments) - 1  # positions in a message are consecutive
        open_end = _last(message).tag != "UNT" and not next_starts
        keep: list[Problem] = []
        for problem in self.pending:
            position = problem.segment_position
            assert position is not None  # only positioned Problems are pending
            if position < start:
                continue
            if position <= end or (open_end and position == end + 1):
                problem.message_ref = message.reference or None
                problem.segment_position = position - start + 1
            else:
                keep.append(problem)
        self.pending = keep

    def close_open_message(self, at: Segment, *, next_starts: bool = False) -> None:
        if self.message is not None:
            last = _last(self.message)
            self.add("MISSING_UNT", f"message {self.message.reference!r} has no UNT (it ends before "
                     f"{at.tag} at segment {at.position})", last, element=None, in_message=self.message)
            self.emit(self.message, next_starts)
            self.message = None

    def unh(self, segment: Segment) -> None:
        self.close_open_message(segment, next_starts=True)
        most = self.limits.interchange_messages
        if self.closed >= most:
            raise exceeded("TOO_MANY_MESSAGES", f"the interchange has more than {most} messages",
                           "HUB_MAX_INTERCHANGE_MESSAGES", position=segment.position, tag="UNH")
        if self.group is not None:
            self.group_messages += 1
        else:
            self.loose_messages += 1
            self.check_mixed(segment)
        g = segment.get
        reference, kind, version, release, agency = g(0), g(1, 0), g(1, 1), g(1, 2), g(1, 3)
        self.message = Message(reference=reference, type=kind, version=version, release=release,
                               agency=agency, association=g(1, 4) or None, segments=[segment],
                               group_reference=self.group.get(4) if self.group else None)
        if reference and kind and version and release and agency:
            return  # nothing of _UNH_REQUIRED is missing
        for problem in _missing(segment, _UNH_REQUIRED, 1, reference or None):
            self.problems.append(problem)
            self.interchange.problems.append(problem)

    def unt(self, segment: Segment) -> None:
        message = self.message
        if message is None:
            self.add("SEGMENT_OUTSIDE_MESSAGE", "UNT without a UNH before it", segment)
            return
        message.segments.append(segment)
        declared, actual = _count(segment), len(message.segments)
        if declared is None:
            self.add("INVALID_VALUE", f"UNT segment count {segment.get(0)!r} is not a number", segment,
                     element="0074", in_message=message)
        elif declared != actual:
            self.add("UNT_COUNT", f"UNT says {declared} segments, the message has {actual}", segment,
                     element="0074", severity=self.count_severity, in_message=message)
        if segment.get(1) != message.reference:
            self.add("UNT_REFERENCE", f"UNT reference {segment.get(1)!r} differs from UNH reference "
                     f"{message.reference!r}", segment, element="0062", in_message=message)
        self.emit(message, False)
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
        declared = _count(segment)
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
            # the hub cuts a file of several interchanges apart first (mappings.edifact.interchanges)
            self.add("MULTIPLE_INTERCHANGES", "a second interchange (UNB) follows UNZ in data read "
                     "as one interchange", segment)
        else:
            self.add("JUNK_AFTER_UNZ", f"data after UNZ (segment {segment.tag[:3]!r})", segment)

    def finish(self, last: Segment) -> None:
        self.close_open_message(last)
        self.close_group(last)
        if not self.closed:
            self.add("NO_MESSAGES", "the interchange contains no message", last)
        if self.unz is None:
            self.add("MISSING_UNZ", "the interchange has no UNZ trailer", last, severity="warning")
            return
        self.check_unz(self.unz)

    def check_unz(self, unz: Segment) -> None:
        expected = self.groups if self.groups else self.loose_messages + self.packages
        declared = _count(unz)
        what = "groups" if self.groups else "messages"
        if declared != expected:
            self.add("UNZ_COUNT", f"UNZ says {unz.get(0)!r} {what}, the interchange has {expected}",
                     unz, element="0036", severity=self.count_severity)
        if unz.get(1) != self.interchange.control_ref:
            self.add("UNZ_REFERENCE", f"UNZ reference {unz.get(1)!r} differs from UNB reference "
                     f"{self.interchange.control_ref!r}", unz, element="0020",
                     severity=self.count_severity)  # a trailer defect, like a wrong count


class InterchangeReader:
    """One interchange read lazily: the UNB fields now, the messages one at a time.

    `interchange` carries the UNB fields, separators and encoding as soon as the reader exists; its
    `messages` stays empty (the reader does not keep them). `messages()` tokenizes the data a chunk at a
    time and yields each `Message` (UNH ... UNT, the same Segments and positions as `parse_interchange`)
    once its UNT, or whatever closes it, has been read. Envelope Problems are appended to
    `interchange.problems` as they are found; charset and tokenizer Problems too, each given its message
    reference and in-message position before that message is yielded. The trailer checks (UNZ count and
    reference, junk after UNZ, a missing UNZ or UNE, no message at all) are appended when the iterator
    is exhausted: only then is `interchange.problems` complete. `messages()` can be iterated once.
    """

    def __init__(self, interchange: Interchange, unb: Segment,
                 batches: Iterator[list[Segment] | LazyBatch],
                 syntax: list[Problem], envelope: list[Problem], count_severity: str,
                 limits: Limits = DEFAULT) -> None:
        self.interchange = interchange
        self._unb = unb
        self._batches = batches
        self._syntax = syntax  # charset and tokenizer Problems, in the order found
        self._envelope = envelope  # UNB and envelope Problems, in the order found
        self._splitter = _Splitter(interchange, envelope, count_severity, limits)
        self._limits = limits
        self._started = False
        self._forwarded = 0

    def messages(self) -> Iterator[Message]:
        """Each message of the interchange, in order; the trailer checks run when it is exhausted."""
        if self._started:
            raise RuntimeError("InterchangeReader.messages() can be iterated only once")
        self._started = True
        splitter = self._splitter
        outbox = splitter.outbox
        handlers = {"UNH": splitter.unh, "UNT": splitter.unt, "UNG": splitter.ung, "UNE": splitter.une,
                    "UNZ": splitter.unz_}
        get = handlers.get
        outside = splitter.outside
        # appends to the open message; a lazy read's messages hold their plain segments as str
        append: Callable[[Segment | str], None] | None = None
        extend: Callable[[list[Any]], None] | None = None
        last = self._unb
        after_unz: list[Segment] = []
        for batch in self._batches:
            if after_unz or splitter.unz is not None:  # the rest is read only for its syntax Problems
                if batch:
                    after_unz.append(lazy_segment(batch, 0))
                    last = lazy_segment(batch, len(batch) - 1)
                continue
            # a lazy read's plain segments (str) inside a message go to it a run at a time: up to
            # the batch's next Segment (`specials`), which the loop looks at one by one
            specials = batch.specials if isinstance(batch, LazyBatch) else None
            index, size = 0, len(batch)
            while index < size:
                segment = batch[index]
                index += 1
                if isinstance(segment, str):  # a plain segment of a lazy read
                    if extend is not None:
                        assert specials is not None
                        following = bisect_left(specials, index)
                        end = specials[following] if following < len(specials) else size
                        extend(batch[index - 1:end])
                        index = end
                        continue
                    segment = lazy_segment(batch, index - 1)  # outside any message
                handler = get(segment.tag)
                if handler is None:
                    if append is not None:
                        append(segment)
                    else:
                        outside(segment)
                    continue
                self._forward()  # syntax Problems must wait for the message they fall in
                handler(segment)
                message = splitter.message
                append = cast(Any, message.segments).append if message is not None else None
                extend = cast(Any, message.segments).extend if message is not None else None
                if outbox:
                    yield from outbox
                    outbox.clear()
                if splitter.unz is not None:
                    if index < size:
                        after_unz.append(lazy_segment(batch, index))
                    break
            if batch:
                last = lazy_segment(batch, len(batch) - 1)
            if splitter.message is not None:  # checked once a chunk: it may overshoot by one
                self._check_length(splitter.message)
        self._forward()
        if after_unz:
            splitter.after_unz(after_unz[0])
        splitter.finish(last)
        if last.tag == "UNZ":
            _recode_tail(self._syntax, last.position)
        yield from outbox
        outbox.clear()

    def _check_length(self, message: Message) -> None:
        most = self._limits.message_segments
        if len(message.segments) > most:
            raise exceeded("TOO_MANY_SEGMENTS", f"message {message.reference!r} has more than "
                           f"{most} segments", "HUB_MAX_MESSAGE_SEGMENTS",
                           position=message.segments[0].position, tag="UNH",
                           message_ref=message.reference or None)

    def _forward(self) -> None:
        """Publish the syntax Problems found since the last call; positioned ones await their message."""
        syntax, problems, pending = self._syntax, self.interchange.problems, self._splitter.pending
        for problem in syntax[self._forwarded:]:
            problems.append(problem)
            if problem.message_ref is None and problem.segment_position is not None:
                pending.append(problem)
        self._forwarded = len(syntax)

    def unlisted_errors(self) -> int:
        """Errors found but not kept in `interchange.problems` (see `ProblemLog`)."""
        return sum(getattr(log, "dropped_errors", 0) for log in (self._syntax, self.interchange.problems))

    def problems_in_parse_order(self) -> list[Problem]:
        """All Problems with syntax ones first, the order `parse_interchange` has always given."""
        return self._syntax + self._envelope


def _last(message: Message) -> Segment:
    """A message's last segment so far, as a Segment even when a lazy read left it as its text."""
    segments = message.segments
    last: Segment | str = segments[-1]
    if isinstance(last, str):
        return text_segment(last, segments[0].position + len(segments) - 1)
    return last


def _recode_tail(problems: list[Problem], segment_count: int) -> None:
    """A truncated 'segment' right after UNZ is junk after the interchange, not a truncation."""
    for problem in problems:
        if problem.code == "TRUNCATED_SEGMENT" and problem.segment_position == segment_count + 1:
            problem.code = "JUNK_AFTER_UNZ"
            problem.message = "data after UNZ: " + problem.message


def open_interchange(data: bytes, *, tolerate_count_mismatch: bool = False,
                     lazy: bool = False, limits: Limits = DEFAULT) -> InterchangeReader:
    """Start reading one EDIFACT interchange: UNA and UNB now, the messages lazily (see `InterchangeReader`).

    With `lazy`, a message's plain segments stay their text (a str in `Message.segments`; UNH, UNT
    and anything unusual are Segments with their text in `raw`): the envelope is checked all the
    same, and `tokenizer.materialize` splits the segments where the message is mapped (in a worker
    process, for a big interchange).

    Raises `ValidationError` when nothing sensible can be read: empty input, not EDIFACT, an unusable
    UNA or UNB. Count mismatches (UNT, UNE, UNZ) are warnings with `tolerate_count_mismatch`.
    Reading (from the first chunk, read here) raises `LimitExceeded` at the first of the `limits`
    passed; the Problems
    found are kept up to a bound, the others counted (`ProblemLog`).
    `data` must stay unchanged while the messages are read.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("open_interchange takes bytes")
    data = bytes(data)
    header = read_header(data)
    default = header.separators or default_separators(header.syntax_version)
    syntax: list[Problem] = ProblemLog()
    text, codec = decode(data, header.syntax_id, default, syntax)
    separators, offset = read_una(text, default)
    batches: Iterator[list[Segment] | LazyBatch] = (
        lazy_batches(text, separators, syntax, start=offset, limits=limits) if lazy
        else segment_batches(text, separators, syntax, start=offset, limits=limits))
    first: list[Segment] | LazyBatch = []
    for first in batches:  # only a chunk of nothing but empty segments gives an empty batch
        if first:
            break
    unb = lazy_segment(first, 0) if first else None
    if unb is None or unb.tag != "UNB":
        raise ValidationError("not an EDIFACT interchange: no UNB", problems=[
            Problem(code="NOT_EDIFACT", message="the data does not start with UNB", segment_position=1)])
    envelope = ProblemLog()
    interchange = _read_unb(unb, separators, codec, envelope)
    interchange.problems = ProblemLog(2 * envelope.limit)  # syntax and envelope ones together
    rest: list[Segment] | LazyBatch
    if isinstance(first, LazyBatch):
        rest = LazyBatch(first[1:])  # a slice is a plain list: give it back its first position
        rest.first = first.first + 1
        rest.specials = [index - 1 for index in first.specials if index > 0]
    else:
        rest = first[1:]
    reader = InterchangeReader(interchange, unb, chain([rest], batches), syntax, envelope,
                               "warning" if tolerate_count_mismatch else "error", limits)
    reader._forward()  # charset and first-chunk Problems before UNB's, as parse_interchange orders them
    interchange.problems.extend(envelope)
    return reader


def parse_interchange(data: bytes, *, tolerate_count_mismatch: bool = False) -> Interchange:
    """Parse one EDIFACT interchange; envelope defects are in `Interchange.problems`.

    Raises `ValidationError` only when nothing sensible can be returned: empty input, not EDIFACT, an
    unusable UNA or UNB. Count mismatches (UNT, UNE, UNZ) are warnings with `tolerate_count_mismatch`.
    The whole interchange is held in memory; `open_interchange` reads it one message at a time.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError("parse_interchange takes bytes")
    with paused_gc():  # the whole parse allocates millions of small lists; see tokenizer.paused_gc
        reader = open_interchange(data, tolerate_count_mismatch=tolerate_count_mismatch)
        messages = list(reader.messages())
    interchange = reader.interchange
    interchange.messages = messages
    interchange.problems = reader.problems_in_parse_order()
    return interchange


def errors(interchange: Interchange) -> list[Problem]:
    """The Problems of an interchange that reject it (severity error)."""
    return [p for p in interchange.problems if p.severity == "error"]
