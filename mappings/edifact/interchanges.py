"""A file of several EDIFACT interchanges (as Bots and many VANs send them): where each one starts.

Interchanges are cut on bytes, at each UNA or UNB that starts a segment (after an unreleased
segment terminator and any line breaks), so that each keeps its own bytes exactly as sent and is
then read, checked and acknowledged on its own. Separators are ASCII and every character set the
hub reads (UNOA..UNOY, UTF-8) leaves ASCII bytes alone, so no decoding is needed to find the cuts.
Whatever lies between one interchange's UNZ and the next UNA/UNB stays with the first one, whose
own reading names it (`JUNK_AFTER_UNZ`).
"""

from __future__ import annotations

import re

_BOM = b"\xef\xbb\xbf"
_SPACE = b" \t\r\n"
_HEADER = re.compile(rb"UN[AB]")


def interchange_spans(data: bytes, *, most: int | None = None) -> list[tuple[int, int]]:
    """The (start, end) byte ranges of the interchanges in `data`, in order; one range covering
    everything when there is a single one (or the data is no EDIFACT). With `most`, the search
    stops once `most` interchanges are found (the last range then runs to the end)."""
    start = _first_segment(data)
    if data[start:start + 3] not in (b"UNA", b"UNB"):
        return [(0, len(data))]
    starts = [start]
    while most is None or len(starts) < most:
        following = _next_start(data, starts[-1])
        if following is None:
            break
        starts.append(following)
    ends = [*starts[1:], len(data)]
    return [(0 if index == 0 else begin, end)
            for index, (begin, end) in enumerate(zip(starts, ends, strict=True))]


def holds_several(data: bytes) -> bool:
    """Whether `data` holds more than one interchange (the search stops at the second)."""
    return len(interchange_spans(data, most=2)) > 1


def _first_segment(data: bytes) -> int:
    return _first_segment_after(data, len(_BOM) if data.startswith(_BOM) else 0)


def _first_segment_after(data: bytes, offset: int) -> int:
    while offset < len(data) and data[offset] in _SPACE:
        offset += 1
    return offset


def _separators(data: bytes, start: int) -> tuple[int, int]:
    """The segment terminator and release character (as byte values) of the interchange at
    `start`: from its UNA, else the defaults."""
    if data.startswith(b"UNA", start) and len(data) >= start + 9:
        return data[start + 8], data[start + 6]
    return ord("'"), ord("?")


def _next_start(data: bytes, start: int) -> int | None:
    """Where the interchange after the one starting at `start` begins (its UNA or UNB)."""
    terminator, release = _separators(data, start)
    search = start + 3
    if data.startswith(b"UNA", start):  # the interchange's own UNB comes right after its UNA
        search = _first_segment_after(data, start + 9) + 3
    for found in _HEADER.finditer(data, search):  # one pass in C, faster than two finds
        at = found.start()
        if _starts_segment(data, at, terminator, release) and _looks_like_header(data, at):
            return at
    return None


def _starts_segment(data: bytes, at: int, terminator: int, release: int) -> bool:
    """`at` follows an unreleased segment terminator (line breaks between them allowed)."""
    before = at - 1
    while before >= 0 and data[before] in _SPACE:
        before -= 1
    if before < 0 or data[before] != terminator:
        return False
    releases = 0
    while before - 1 - releases >= 0 and data[before - 1 - releases] == release:
        releases += 1
    return releases % 2 == 0  # `?'` is a released terminator, `??'` a released `?` and a real one


def _looks_like_header(data: bytes, at: int) -> bool:
    """A UNA with its six service characters, or a UNB followed by a separator."""
    follower = data[at + 3:at + 4]
    return bool(follower) and not follower.isalnum() and follower not in (b" ", b"\r", b"\n")
