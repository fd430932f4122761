"""An EDIFACT interchange the hub is about to send, checked as strictly as one it receives.

Layers: the envelope (UNB/UNZ, UNH/UNT references and counts), each message against the structure
of its directory version (segments, groups, repeats, element types and lengths: `structure.py`), and
the coded values against the D.24A code lists (`codelists/d24a_codes.json`). A code D.24A lacks is
an error in a D.24A message and a warning in an older directory's, which may have had it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from hub.domain.errors import Problem, ValidationError
from hub.domain.validation import Validation
from mappings.edifact.envelope import parse_interchange
from mappings.edifact.model import Message, Segment
from mappings.edifact.segment_specs import SegmentSpec, known_directories, segment_specs
from mappings.edifact.structure import validate_message

CODES_FILE = Path(__file__).parent / "codelists" / "d24a_codes.json"
CODE_LISTS = "D.24A code lists"
_DIRECTORY = re.compile(r"([DS])(\d\d[A-C])\Z")


@cache
def d24a_codes() -> dict[str, frozenset[str]]:
    """Element id -> the D.24A code values (for the coded elements the hub writes)."""
    data = json.loads(CODES_FILE.read_text(encoding="utf-8"))
    return {element: frozenset(values) for element, values in data["codes"].items()}


def validate_interchange(data: bytes) -> Validation:
    """Every layer's findings on an outbound EDIFACT interchange, and which rules ran."""
    result = Validation()
    try:
        interchange = parse_interchange(data)
    except ValidationError as exc:
        result.add("EDIFACT envelope", exc.problems or [Problem("EDIFACT_UNREADABLE", exc.message)])
        return result
    result.add(f"EDIFACT syntax {interchange.syntax_version} envelope", interchange.problems)
    for message in interchange.messages:
        result.add(structure_label(message), validate_message(message))
        result.add(CODE_LISTS, code_problems(message))
    return result


def structure_label(message: Message) -> str:
    """Which structure a message was checked against, e.g. "D.96A structure", "CONTRL D3 structure"."""
    match = _DIRECTORY.match(message.directory.upper())
    version = f"{match.group(1)}.{match.group(2)}" if match else f"{message.type} {message.directory}"
    return f"{version}{' ' + message.association if message.association else ''} structure"


def code_problems(message: Message) -> list[Problem]:
    """Coded values not in the D.24A code list of their element (warnings unless the message is
    D.24A). Positions the directory does not describe are left to the structure check."""
    directory = message.directory.upper()
    specs = segment_specs(directory if directory in known_directories() else "D24A")
    severity = "error" if directory == "D24A" else "warning"
    found: list[Problem] = []
    for position, segment in enumerate(message.segments, start=1):
        spec = specs.get(segment.tag) if isinstance(segment, Segment) else None
        if spec is not None:
            found += _segment_codes(segment, spec, position, message, severity)
    return found


def _segment_codes(segment: Segment, spec: SegmentSpec, position: int, message: Message,
                   severity: str) -> list[Problem]:
    codes = d24a_codes()
    found = []
    for element, value_position in zip(segment.elements, spec, strict=False):
        for index, (value, component) in enumerate(
                zip(element, value_position.components, strict=False), start=1):
            known = codes.get(component.id)
            if known is None or value == "" or value in known:
                continue
            path = f"{value_position.id}/{component.id}" if value_position.composite else component.id
            found.append(Problem(
                code="CODE_UNKNOWN", severity=severity, message_ref=message.reference,
                segment_position=position, segment_tag=segment.tag, element=path,
                component=index if value_position.composite else None,
                message=f"{value!r} is not a code of element {component.id} in the D.24A "
                        f"code list"))
    return found
