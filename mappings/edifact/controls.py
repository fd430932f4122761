"""Control totals inside a message, checked like the envelope's counts (UNT, UNZ).

A count mismatch is an error, or a warning when the partner's profile tolerates wrong counts.
"""

from __future__ import annotations

from hub.domain.errors import Problem
from mappings.edifact.model import Message


def line_count_problems(message: Message, *, tolerate: bool = False) -> list[Problem]:
    """CNT+2 (number of line items) must match the LIN segments, like UNT counts segments."""
    lines, declared = 0, None
    for position, segment in enumerate(message.segments, 1):
        tag = segment.tag
        if tag == "LIN":
            lines += 1
        elif tag == "CNT" and segment.get(0) == "2":
            declared = (position, segment.get(0, 1))
    if declared is None or not (declared[1].isascii() and declared[1].isdigit()):
        return []  # absent, or not a number (the structure check names that)
    position, value = declared
    if int(value) == lines:
        return []
    return [Problem(code="CNT_MISMATCH", message_ref=message.reference, segment_position=position,
                    segment_tag="CNT", element="C270/6066",
                    message=f"CNT says {int(value)} line items, the message has {lines}",
                    severity="warning" if tolerate else "error")]
