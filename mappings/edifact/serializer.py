"""EDIFACT output: segments -> text with every service character released, and interchange envelopes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from hub.domain.errors import Problem, ValidationError
from mappings.edifact.charsets import encode
from mappings.edifact.model import Message, Segment, Separators
from mappings.edifact.tokenizer import REPETITION_MARK, default_separators


def _service_chars(seps: Separators) -> list[str]:
    chars = [seps.component, seps.element, seps.segment]
    if seps.release != " ":
        chars.append(seps.release)
    if seps.repetition != " ":
        chars.append(seps.repetition)
    return chars


def escape(value: str, separators: Separators) -> str:
    """`value` with each service character (the release character included) preceded by the release."""
    chars = _service_chars(separators)
    if not any(c in value for c in chars):
        return value
    if separators.release == " ":
        problem = Problem(code="UNESCAPABLE", message=f"{value!r} contains a service character and the "
                          "separators have no release character")
        raise ValidationError(problem.message, problems=[problem])
    return value.translate({ord(c): separators.release + c for c in chars})


def _trim(items: list[str]) -> list[str]:
    end = len(items)
    while end > 1 and items[end - 1] == "":
        end -= 1
    return items[:end]


def _element(components: list[str], seps: Separators, trim: bool) -> str:
    out: list[str] = []
    occurrence: list[str] = []
    for component in [*components, REPETITION_MARK]:
        if component != REPETITION_MARK:
            occurrence.append(escape(component, seps))
            continue
        out.append(seps.component.join(_trim(occurrence) if trim else occurrence))
        occurrence = []
    return seps.repetition.join(out)


def serialize_segment(segment: Segment, separators: Separators, *, trim: bool = True) -> str:
    """One segment without its terminator; trailing empty elements and components are left out."""
    elements = [_element(e, separators, trim) for e in segment.elements]
    if trim:
        while elements and elements[-1] == "":
            elements.pop()
    return separators.element.join([segment.tag, *elements])


def serialize_segments(segments: Iterable[Segment], separators: Separators, *, trim: bool = True,
                       newline: bool = False) -> str:
    """Segments as EDIFACT text, each followed by the segment terminator (and a newline if asked)."""
    end = separators.segment + ("\n" if newline else "")
    return "".join(serialize_segment(s, separators, trim=trim) + end for s in segments)


def wrap_message(message: Message) -> list[Segment]:
    """UNH + body + UNT with the right count; `message.segments` may hold the body or a whole message."""
    body = message.segments
    if body and body[0].tag == "UNH":
        body = body[1:-1] if body[-1].tag == "UNT" else body[1:]
    s009 = [message.type, message.version, message.release, message.agency]
    if message.association:
        s009.append(message.association)
    unh = Segment("UNH", [[message.reference], s009])
    unt = Segment("UNT", [[str(len(body) + 2)], [message.reference]])
    return [unh, *body, unt]


@dataclass(frozen=True)
class Envelope:
    """What UNB needs: parties, control reference, syntax, and the optional flags."""

    sender: str
    recipient: str
    control_ref: str
    sender_qualifier: str | None = None
    recipient_qualifier: str | None = None
    syntax_id: str = "UNOC"
    syntax_version: str = "3"
    prepared: datetime | None = None  # now (UTC) when None
    application_ref: str | None = None
    ack_requested: bool = False
    test: bool = False


def _party(identifier: str, qualifier: str | None) -> list[str]:
    return [identifier, qualifier] if qualifier else [identifier]


def unb_segment(env: Envelope) -> Segment:
    """The UNB of an envelope; the date is CCYYMMDD in syntax 4, YYMMDD before."""
    prepared = (env.prepared or datetime.now(UTC)).astimezone(UTC)
    date = prepared.strftime("%Y%m%d" if env.syntax_version == "4" else "%y%m%d")
    elements = [[env.syntax_id, env.syntax_version], _party(env.sender, env.sender_qualifier),
                _party(env.recipient, env.recipient_qualifier), [date, prepared.strftime("%H%M")],
                [env.control_ref], [""], [env.application_ref or ""], [""],
                ["1" if env.ack_requested else ""], [""], ["1" if env.test else ""]]
    return Segment("UNB", elements)


def interchange_segments(env: Envelope, messages: Sequence[Message]) -> list[Segment]:
    """UNB, each message wrapped in UNH/UNT, UNZ; positions numbered from 1."""
    segments = [unb_segment(env)]
    for message in messages:
        segments.extend(wrap_message(message))
    segments.append(Segment("UNZ", [[str(len(messages))], [env.control_ref]]))
    for position, segment in enumerate(segments, 1):
        segment.position = position
    return segments


def render_interchange(env: Envelope, messages: Sequence[Message], *,
                       separators: Separators | None = None, una: bool | None = None,
                       newline: bool = False) -> bytes:
    """A whole interchange as bytes in the envelope's charset.

    UNA is written when asked, and always when the separators differ from the syntax version's defaults.
    """
    default = default_separators(env.syntax_version)
    seps = separators or default
    una = bool(una) or seps != default
    text = serialize_segments(interchange_segments(env, messages), seps, newline=newline)
    if una:
        text = seps.una() + ("\n" if newline else "") + text
    return encode(text, env.syntax_id)
