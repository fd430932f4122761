"""Test helper: read an EDIFACT file into model Messages.

`load` goes through the hub's own envelope parser; `pydifact_messages` is the small pydifact-based
adapter the mapping tests started with (kept to cross-check that both give the mappings the same input).
"""

from __future__ import annotations

import warnings
from pathlib import Path

from pydifact.exceptions import MissingImplementationWarning
from pydifact.segmentcollection import RawSegmentCollection

from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Interchange, Message, Segment


def load(path: Path, *, tolerate_count_mismatch: bool = True) -> Interchange:
    """The interchange in a file, through `mappings.edifact.envelope`."""
    return parse_interchange(path.read_bytes(), tolerate_count_mismatch=tolerate_count_mismatch)


def _elements(raw: list[object]) -> list[list[str]]:
    return [[str(c) for c in e] if isinstance(e, list) else [str(e) if e is not None else ""] for e in raw]


def pydifact_messages(text: str) -> list[Message]:
    """Messages through pydifact, elements normalised to lists of components."""
    with warnings.catch_warnings():  # pydifact 0.2.3 warns that it ships no directory files
        warnings.simplefilter("ignore", MissingImplementationWarning)
        collection = RawSegmentCollection.from_str(text)
    messages: list[Message] = []
    current: list[Segment] | None = None
    for seg in collection.segments:
        model = Segment(seg.tag, _elements(list(seg.elements)))
        if seg.tag == "UNH":
            current = [model]
        elif current is not None:
            current.append(model)
            if seg.tag == "UNT":
                s009 = current[0].elements[1] + ["", "", "", "", ""]
                messages.append(Message(current[0].elements[0][0], s009[0], s009[1], s009[2], s009[3],
                                        s009[4] or None, current))
                current = None
    return messages
