"""Bounds on the shape of an EDIFACT interchange, far beyond any real file, each refused by name
as soon as it is passed: a hostile file is rejected in a bounded amount of memory and time.

The hub takes them from its settings (HUB_MAX_..., see hub/config.py); `Limits()` are the defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from hub.domain.errors import Problem, ValidationError
from mappings.edifact.model import Separators


@dataclass(frozen=True, slots=True)
class Limits:
    """The largest shapes accepted; each count is "at most"."""

    interchange_messages: int = 100_000  # HUB_MAX_INTERCHANGE_MESSAGES
    message_segments: int = 200_000  # HUB_MAX_MESSAGE_SEGMENTS
    message_values: int = 1_000_000  # HUB_MAX_MESSAGE_VALUES: elements and components together
    segment_elements: int = 100  # HUB_MAX_SEGMENT_ELEMENTS
    element_components: int = 100  # HUB_MAX_ELEMENT_COMPONENTS, repetitions included
    value_chars: int = 10_000  # HUB_MAX_VALUE_CHARS: one data element (component)
    empty_segments: int = 1_000  # HUB_MAX_EMPTY_SEGMENTS in the whole interchange

    @property
    def short_segment(self) -> int:
        """A segment this long or shorter cannot break a per-segment limit: it needs no look."""
        return min(self.segment_elements, self.element_components, self.value_chars)


DEFAULT = Limits()


class LimitExceeded(ValidationError):
    """The interchange passes one of the `Limits`: it is refused without reading further."""

    code = "LIMIT_EXCEEDED"


def exceeded(code: str, what: str, setting: str, *, position: int | None = None,
             tag: str | None = None, message_ref: str | None = None,
             element: str | None = None) -> LimitExceeded:
    """The error for a passed limit, naming the setting that raises it."""
    problem = Problem(code=code, message=f"{what} (the limit is {setting})", message_ref=message_ref,
                      segment_position=position, segment_tag=tag, element=element)
    return LimitExceeded(str(problem), problems=[problem])


@lru_cache(maxsize=16)
def _released(release: str) -> re.Pattern[str]:
    return re.compile(re.escape(release) + ".", re.S)


def check_segment(raw: str, seps: Separators, limits: Limits, position: int) -> None:
    """Raise LimitExceeded when the segment text `raw` has too many elements or components, or a
    too long value; counted without splitting it (a flood of separators stays one string)."""
    if len(raw) <= limits.short_segment:
        return
    release = seps.release if seps.release != " " else ""
    # a released character counts as one plain character, never as a separator
    text = _released(release).sub("_", raw) if release and release in raw else raw
    tag = text[:3]
    elements = text.count(seps.element)  # the tag is not an element
    if elements > limits.segment_elements:
        raise exceeded("TOO_MANY_ELEMENTS", f"segment {tag} has {elements} elements, more than "
                       f"{limits.segment_elements}", "HUB_MAX_SEGMENT_ELEMENTS",
                       position=position, tag=tag)
    repetition = seps.repetition if seps.repetition != " " else ""
    for index, element in enumerate(text.split(seps.element)):
        components = element.count(seps.component) + 1
        if repetition:
            components += element.count(repetition)
        if components > limits.element_components:
            raise exceeded("TOO_MANY_COMPONENTS", f"element {index} of segment {tag} has "
                           f"{components} components, more than {limits.element_components}",
                           "HUB_MAX_ELEMENT_COMPONENTS", position=position, tag=tag,
                           element=str(index))
        if len(element) > limits.value_chars:
            longest = max(len(value) for value in element.split(seps.component))
            if longest > limits.value_chars:
                raise exceeded("ELEMENT_TOO_LONG", f"a value of {longest} characters in element "
                               f"{index} of segment {tag}, longer than {limits.value_chars}",
                               "HUB_MAX_VALUE_CHARS", position=position, tag=tag,
                               element=str(index))
