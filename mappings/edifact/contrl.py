"""CONTRL (syntax and service report, D:3:UN): accept or reject an interchange down to segment and element.

UCI names the subject interchange as it was received (its own sender and recipient); the CONTRL's UNB
goes the other way (`contrl_envelope`). Errors in UNB/UNZ/UNG/UNE are reported in UCI, errors in UNH/UNT
in UCM, errors in user segments in UCS (segment position, UNH = 1) and UCD (element position, the tag
counting as 1, and component position). Warnings are not reported.

`render_contrl` writes the hub's answer to a partner's interchange; `read_contrl` reads a partner's
answer to one of the hub's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from hub.domain.acknowledgements import (
    MAX_ERRORS,
    AckStatus,
    InterchangeAck,
    MessageAck,
    ReportedError,
    ack_status,
)
from hub.domain.errors import MappingError, Problem
from mappings.edifact.model import Interchange, Message, Segment
from mappings.edifact.serializer import Envelope, wrap_message

ACCEPTED = "7"  # this level acknowledged, lower levels acknowledged unless explicitly rejected
REJECTED = "4"  # this level and all lower levels rejected

# Our Problem codes -> UN/EDIFACT 0085 syntax error codes. Unknown codes report 18 (unspecified error).
SYNTAX_ERROR_CODES: dict[str, str] = {
    "UNSUPPORTED_SYNTAX": "2",
    "INVALID_VALUE": "12", "UNB_INVALID": "12", "INVALID_CODE": "12", "UNKNOWN_CODE": "12",
    "MISSING": "13", "MISSING_SEGMENT": "13", "MISSING_ELEMENT": "13", "MISSING_COMPONENT": "13",
    "MISSING_UNT": "13", "MISSING_UNE": "13", "MISSING_UNZ": "13", "TRUNCATED_SEGMENT": "13",
    "UNEXPECTED_SEGMENT": "15", "SEGMENT_NOT_ALLOWED": "15", "UNKNOWN_SEGMENT": "15",
    "PACKAGE_IGNORED": "15", "UNKNOWN_MESSAGE": "15", "UNSUPPORTED_MESSAGE": "15",
    "TOO_MANY_ELEMENTS": "16", "TOO_MANY_COMPONENTS": "16", "TOO_MANY_CONSTITUENTS": "16",
    "UNA_INVALID": "20",
    "INVALID_CHARACTER": "21", "CHARSET_MISMATCH": "21", "REPERTOIRE": "21",
    "SECOND_UNA": "22", "RELEASE_AT_END": "22", "INVALID_TAG": "22",
    "UNT_REFERENCE": "28", "UNE_REFERENCE": "28", "UNZ_REFERENCE": "28",
    "UNT_COUNT": "29", "UNE_COUNT": "29", "UNZ_COUNT": "29",
    "MIXED_GROUPS_AND_MESSAGES": "30",
    "NO_MESSAGES": "32",
    "SEGMENT_OUTSIDE_MESSAGE": "33", "JUNK_AFTER_UNZ": "33", "MULTIPLE_INTERCHANGES": "33",
    "EMPTY_SEGMENT": "33",
    "TOO_MANY_REPETITIONS": "35", "SEGMENT_REPEATED": "35", "MAX_REPEAT": "35",
    "TOO_MANY_GROUP_REPETITIONS": "36", "GROUP_REPEATED": "36",
    "NOT_NUMERIC": "37", "NOT_ALPHABETIC": "37", "INVALID_TYPE": "37",
    "MISSING_DIGIT": "38",
    "TOO_LONG": "39", "TOO_SHORT": "40",
}
UNSPECIFIED = "18"

# Positions of the data elements of the service segments (tag = 1) and of their composites' components.
_SERVICE_ELEMENTS: dict[str, tuple[str, ...]] = {
    "UNB": ("S001", "S002", "S003", "S004", "0020", "S005", "0026", "0029", "0031", "0032", "0035"),
    "UNG": ("0038", "S006", "S007", "S004", "0048", "0051", "S008", "0058"),
    "UNH": ("0062", "S009", "0068", "S010"),
    "UNT": ("0074", "0062"),
    "UNE": ("0060", "0048"),
    "UNZ": ("0036", "0020"),
}
_SERVICE_COMPONENTS: dict[str, tuple[str, ...]] = {
    "S001": ("0001", "0002", "0080", "0133"), "S002": ("0004", "0007", "0008", "0042"),
    "S003": ("0010", "0007", "0014", "0046"), "S004": ("0017", "0019"), "S005": ("0022", "0025"),
    "S006": ("0040", "0007"), "S007": ("0044", "0007"), "S008": ("0052", "0054", "0057"),
    "S009": ("0065", "0052", "0054", "0051", "0057", "0110", "0113"),
    "S010": ("0070", "0073"),
}
_INTERCHANGE_TAGS = frozenset({"UNA", "UNB", "UNZ", "UNG", "UNE"})
_MESSAGE_TAGS = frozenset({"UNH", "UNT"})

# (segment tag, Problem.element) -> (element position with tag = 1, component position or None)
ElementLocator = Callable[[str, str], tuple[int, int | None] | None]


def syntax_error_code(problem: Problem) -> str:
    """The 0085 code for a Problem."""
    return SYNTAX_ERROR_CODES.get(problem.code, UNSPECIFIED)


def locate_service_element(tag: str, element: str) -> tuple[int, int | None] | None:
    """Position of "0020" or "S009/0065" style element names in a service segment."""
    names = _SERVICE_ELEMENTS.get(tag)
    if names is None:
        return None
    head, _, tail = element.partition("/")
    if head in names:
        position = names.index(head) + 2
        components = _SERVICE_COMPONENTS.get(head, ())
        return position, (components.index(tail) + 1 if tail in components else None)
    for i, name in enumerate(names):  # a component named alone, e.g. "0065"
        if head in _SERVICE_COMPONENTS.get(name, ()):
            return i + 2, _SERVICE_COMPONENTS[name].index(head) + 1
    return None


def _s011(problem: Problem, tag: str, locator: ElementLocator | None) -> list[str] | None:
    if not problem.element:
        return None
    found = locate_service_element(tag, problem.element)
    if found is None and locator is not None:
        found = locator(tag, problem.element)
    if found is None:
        return None
    position, component = found
    if component is None and problem.component is not None:
        component = problem.component
    return [str(position), str(component)] if component else [str(position)]


def _first_error_fields(problems: list[Problem], locator: ElementLocator | None) -> list[list[str]]:
    """0085, 0013 and S011 of the first problem reported at a UCI/UCM level."""
    if not problems:
        return []
    first = problems[0]
    tag = first.segment_tag or ""
    s011 = _s011(first, tag, locator)
    fields = [[syntax_error_code(first)], [tag if tag in _INTERCHANGE_TAGS | _MESSAGE_TAGS else ""]]
    return [*fields, s011] if s011 else fields


def _s009(message: Message) -> list[str]:
    s009 = [message.type, message.version, message.release, message.agency]
    return [*s009, message.association] if message.association else s009


def _segment_reports(problems: list[Problem], locator: ElementLocator | None) -> list[Segment]:
    """UCS per erroneous segment (by position), UCD per erroneous element under it."""
    out: list[Segment] = []
    by_position: dict[int, list[Problem]] = {}
    for problem in problems:
        by_position.setdefault(problem.segment_position or 0, []).append(problem)
    for position in sorted(by_position)[:999]:
        found = by_position[position]
        whole = [p for p in found if not p.element]
        ucs = Segment("UCS", [[str(position)]])
        if whole:
            ucs.elements.append([syntax_error_code(whole[0])])
        out.append(ucs)
        for problem in [p for p in found if p.element][:99]:
            s011 = _s011(problem, problem.segment_tag or "", locator)
            if s011 is None:
                if not whole:  # the element cannot be located: report the error on the segment
                    ucs.elements.append([syntax_error_code(problem)])
                    whole.append(problem)
                continue
            out.append(Segment("UCD", [[syntax_error_code(problem)], s011]))
    return out


def _split(interchange: Interchange, problems: Sequence[Problem]
           ) -> tuple[list[Problem], dict[str, list[Problem]]]:
    refs = {m.reference for m in interchange.messages}
    top: list[Problem] = []
    per_message: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.severity != "error":
            continue
        if problem.message_ref in refs and problem.segment_tag not in _INTERCHANGE_TAGS:
            per_message.setdefault(problem.message_ref or "", []).append(problem)
        else:
            top.append(problem)
    return top, per_message


def render_contrl(interchange: Interchange, problems: Sequence[Problem], *, control_ref: str,
                  all_or_nothing: bool = True, element_locator: ElementLocator | None = None
                  ) -> list[Segment]:
    """A CONTRL D:3:UN message (UNH ... UNT) answering `interchange` with `problems` (errors count).

    `control_ref` is the CONTRL's message reference (UNH 0062). With `all_or_nothing` (the hub
    processes an interchange whole) any error rejects the interchange (UCI 4) and every message (UCM 4);
    otherwise only the messages with errors are rejected. `element_locator` resolves user-segment element
    names (e.g. "C186/6060") to positions for UCD; service segments are known here.
    """
    top, per_message = _split(interchange, problems)
    rejected = bool(top) or (all_or_nothing and bool(per_message))
    uci = Segment("UCI", [[interchange.control_ref], _party(interchange.sender, interchange.sender_qualifier),
                          _party(interchange.recipient, interchange.recipient_qualifier),
                          [REJECTED if rejected else ACCEPTED],
                          *_first_error_fields(top, element_locator)])
    body = [uci]
    for message in interchange.messages:
        found = per_message.get(message.reference, [])
        service = [p for p in found if p.segment_tag in _MESSAGE_TAGS]
        action = REJECTED if found or (all_or_nothing and rejected) else ACCEPTED
        body.append(Segment("UCM", [[message.reference], _s009(message), [action],
                                    *_first_error_fields(service, element_locator)]))
        body.extend(_segment_reports([p for p in found if p not in service], element_locator))
    contrl = Message(reference=control_ref, type="CONTRL", version="D", release="3", agency="UN",
                     association=None, segments=body)
    segments = wrap_message(contrl)
    for position, segment in enumerate(segments, 1):
        segment.position = position
    return segments


def _party(identifier: str, qualifier: str | None) -> list[str]:
    return [identifier, qualifier] if qualifier else [identifier]


def contrl_envelope(interchange: Interchange, *, control_ref: str, prepared: datetime | None = None,
                    syntax_id: str | None = None) -> Envelope:
    """The UNB of a CONTRL answering `interchange`: its recipient sends, its sender receives."""
    return Envelope(sender=interchange.recipient, sender_qualifier=interchange.recipient_qualifier,
                    recipient=interchange.sender, recipient_qualifier=interchange.sender_qualifier,
                    control_ref=control_ref, syntax_id=syntax_id or interchange.syntax_id,
                    syntax_version=interchange.syntax_version or "3", prepared=prepared,
                    test=interchange.test)


def contrl_as_message(segments: list[Segment]) -> Message:
    """The CONTRL segments from `render_contrl` as a Message, ready for `render_interchange`."""
    unh = segments[0]
    return Message(reference=unh.get(0), type="CONTRL", version="D", release="3", agency="UN",
                   association=None, segments=segments)


def read_contrl(message: Message) -> InterchangeAck:
    """What a partner's CONTRL message says (its segments split; structure already validated).

    Raises MappingError naming the segment and element when the CONTRL cannot be read: no UCI, or
    an action code (0083) that ISO 9735 does not have."""
    ack: InterchangeAck | None = None
    group: MessageAck | None = None  # the UCF the following UCMs belong to
    current: MessageAck | None = None  # the UCM the following UCS/UCD belong to
    segment_at: int | None = None  # the UCS position the following UCDs report on
    for segment in message.body():
        tag = segment.tag
        if tag == "UCI":
            ack = InterchangeAck(
                control_ref=segment.get(0), sender=segment.get(1), recipient=segment.get(2),
                status=_status(segment, 3, "0083", message), action=segment.get(3),
                contrl_ref=message.reference,
                errors=_level_error(segment, code_at=4, service_at=5, s011_at=6))
        elif ack is None:
            break  # reported below: UCI must come first
        elif tag == "UCF":
            group = MessageAck(reference=segment.get(0), message_type="group",
                               status=_status(segment, 3, "0083", message), action=segment.get(3),
                               errors=_level_error(segment, code_at=4, service_at=5, s011_at=6))
            ack.add(group, group=True)
            current = None
        elif tag == "UCM":
            current = MessageAck(reference=segment.get(0),
                                 message_type=":".join(c for c in segment.elements[1] if c)
                                 if len(segment.elements) > 1 else "",
                                 status=_status(segment, 2, "0083", message), action=segment.get(2),
                                 errors=_level_error(segment, code_at=3, service_at=4, s011_at=5),
                                 group_reference=group.reference if group else None)
            if not ack.add(current):
                current = None  # counted, not kept: its UCS/UCD are skipped
        elif current is not None and len(current.errors) >= MAX_ERRORS:
            continue
        elif tag == "UCS" and current is not None:
            segment_at = _int(segment.get(0))
            if segment.get(1):
                current.errors.append(ReportedError(segment.get(1), segment_position=segment_at))
        elif tag == "UCD" and current is not None:
            element, component, occurrence = _positions(segment, 1)
            current.errors.append(ReportedError(segment.get(0), segment_position=segment_at,
                                                element_position=element,
                                                component_position=component,
                                                occurrence=occurrence))
    if ack is None:
        raise _unreadable(message, "MISSING_SEGMENT", "UCI", None,
                          "a CONTRL must start with UCI, naming the interchange it answers")
    return ack


def _status(segment: Segment, index: int, element: str, message: Message) -> AckStatus:
    status = ack_status(segment.get(index))
    if status is None:
        raise _unreadable(message, "INVALID_CODE", segment.tag, element,
                          f"action code {segment.get(index)!r} is not an ISO 9735 0083 code "
                          "(4 rejected, 7 acknowledged, 8 received)", segment.position)
    return status


def _level_error(segment: Segment, *, code_at: int, service_at: int, s011_at: int
                 ) -> list[ReportedError]:
    code = segment.get(code_at)
    if not code:
        return []
    element, component, occurrence = _positions(segment, s011_at)
    return [ReportedError(code, service_segment=segment.get(service_at) or None,
                          element_position=element, component_position=component,
                          occurrence=occurrence)]


def _positions(segment: Segment, index: int) -> tuple[int | None, int | None, int | None]:
    return (_int(segment.get(index, 0)), _int(segment.get(index, 1)),
            _int(segment.get(index, 2)))


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _unreadable(message: Message, code: str, tag: str, element: str | None, text: str,
                position: int | None = None) -> MappingError:
    problem = Problem(code=code, message=text, message_ref=message.reference,
                      segment_position=position, segment_tag=tag, element=element)
    return MappingError(str(problem), problems=[problem])
