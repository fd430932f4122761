"""The raw file as lines to show, with each problem placed on the line it names.

EDIFACT is shown one segment per line; a problem's segment position counts from the UNH of its
message (UNH = 1) when it names a message, else from the start of the interchange. XML problems carry
their line number in `segment_position`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# a file larger than this is shown cut (the download has it whole)
MAX_SHOWN_BYTES = 2_000_000


@dataclass
class RawLine:
    number: int  # 1-based: segment number in the interchange, or line of the XML
    text: str
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class RawView:
    lines: list[RawLine]
    unplaced: list[dict[str, Any]]  # problems naming no line, or one beyond what is shown
    cut: bool


def raw_view(raw: bytes, syntax: str, problems: list[dict[str, Any]]) -> RawView:
    """Lines of the file with the problems on them."""
    cut = len(raw) > MAX_SHOWN_BYTES
    text = raw[:MAX_SHOWN_BYTES].decode("utf-8", errors="replace")
    if syntax == "edifact":
        lines = [RawLine(i, s) for i, s in enumerate(edifact_segments(text), start=1)]
        place = _edifact_placer(lines)
    else:
        lines = [RawLine(i, s) for i, s in enumerate(text.splitlines(), start=1)]
        place = _line_placer(lines)
    unplaced = []
    for problem in problems:
        index = place(problem)
        if index is None:
            unplaced.append(problem)
        else:
            lines[index].problems.append(problem)
    return RawView(lines, unplaced, cut)


def edifact_segments(text: str) -> list[str]:
    """Segments with their terminator, split by the UNA's terminator and release characters."""
    terminator, release = "'", "?"
    body = text.lstrip("\r\n\ufeff")
    segments: list[str] = []
    if body.startswith("UNA") and len(body) >= 9:
        release, terminator = body[6], body[8]
        segments.append(body[:9])
        body = body[9:]
    current: list[str] = []
    escaped = False
    for char in body:
        if not current and char in "\r\n":
            continue  # line breaks between segments, as many senders write them
        current.append(char)
        if escaped:
            escaped = False
        elif char == release:
            escaped = True
        elif char == terminator:
            segments.append("".join(current))
            current = []
    rest = "".join(current).strip()
    if rest:
        segments.append(rest)
    return segments


def _edifact_placer(lines: list[RawLine]):
    has_una = bool(lines) and lines[0].text.startswith("UNA")
    unh_at: dict[str, int] = {}
    for i, line in enumerate(lines):
        if line.text.startswith("UNH+"):
            unh_at.setdefault(line.text[4:].split("+", 1)[0].rstrip("'"), i)

    def place(problem: dict[str, Any]) -> int | None:
        position = problem.get("segment_position")
        if not isinstance(position, int) or position < 1:
            return None
        ref = problem.get("message_ref")
        if ref is not None and str(ref) in unh_at:
            index = unh_at[str(ref)] + position - 1
        else:
            index = position - 1 + (1 if has_una else 0)
        tag = problem.get("segment_tag")
        if tag and 0 <= index < len(lines) and not lines[index].text.startswith(tag):
            return None
        return index if 0 <= index < len(lines) else None
    return place


def _line_placer(lines: list[RawLine]):
    def place(problem: dict[str, Any]) -> int | None:
        position = problem.get("segment_position")
        if isinstance(position, int) and 1 <= position <= len(lines):
            return position - 1
        return None
    return place
