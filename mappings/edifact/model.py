"""The EDIFACT syntax model every EDIFACT module works on: segments, messages, interchanges.

A segment's elements are lists of components with release characters already removed; an empty
element is `[""]`. Positions are 1-based. Nothing here knows about canonical documents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hub.domain.errors import Problem


@dataclass(frozen=True, slots=True)
class Separators:
    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"
    repetition: str = " "  # syntax 4 uses "*"; a space means "not used" (syntax 3)
    segment: str = "'"

    def una(self) -> str:
        return (f"UNA{self.component}{self.element}{self.decimal}{self.release}"
                f"{self.repetition}{self.segment}")


@dataclass(slots=True)
class Segment:
    tag: str
    elements: list[list[str]] = field(default_factory=list)
    position: int = 0  # 1-based index of the segment in the interchange (UNA not counted)
    # The segment's text as read (release characters kept), kept by a lazy read (which leaves
    # plain segments as that text alone, for `tokenizer.materialize` to split later).
    raw: str = ""

    def get(self, element: int, component: int = 0, default: str = "") -> str:
        """Component `component` of element `element` (both 0-based, tag excluded), or `default`."""
        try:
            value = self.elements[element][component]
        except IndexError:
            return default
        return value if value != "" else default


@dataclass
class Message:
    """One UNH ... UNT message, its segments including UNH and UNT (as a lazy read gives it, its
    plain segments are their text, a str; `tokenizer.materialize` makes them Segments)."""

    reference: str  # UNH 0062
    type: str  # S009 0065, e.g. ORDERS
    version: str  # 0052, e.g. D
    release: str  # 0054, e.g. 96A
    agency: str  # 0051, e.g. UN
    association: str | None  # 0057, e.g. EAN008
    segments: list[Segment] = field(default_factory=list)
    group_reference: str | None = None  # UNG 0048 when inside a functional group

    @property
    def directory(self) -> str:
        """The directory version as one token, e.g. D96A."""
        return f"{self.version}{self.release}"

    def body(self) -> list[Segment]:
        """Segments between UNH and UNT."""
        return self.segments[1:-1] if len(self.segments) >= 2 else []


@dataclass
class Interchange:
    """One UNB ... UNZ interchange, split into its messages."""

    syntax_id: str  # S001 0001: UNOA, UNOB, UNOC, UNOY, ...
    syntax_version: str  # S001 0002
    sender: str  # S002 0004
    sender_qualifier: str | None
    recipient: str  # S003 0010
    recipient_qualifier: str | None
    control_ref: str  # 0020
    prepared: datetime | None = None  # S004, UTC when no zone is known
    application_ref: str | None = None  # 0026
    ack_requested: bool = False  # 0031 == "1"
    test: bool = False  # 0035 == "1"
    separators: Separators = field(default_factory=Separators)
    messages: list[Message] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # envelope errors and warnings
    encoding: str = "latin-1"  # the Python codec the bytes were decoded with
