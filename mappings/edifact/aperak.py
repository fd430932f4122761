"""APERAK: the business rejection of a message (unknown item, unknown party, duplicate order number).

`render_aperak` gives the body (BGM ... before UNT) with one ERC/FTX group per problem; the envelope
writer adds UNH/UNT and UNB/UNZ. Error codes (ERC C901/9321) come from the partner profile's
`aperak_error_codes` (Problem.code -> code), else from the table below (mutually defined, agency ZZZ).
`read_aperak` reads a partner's APERAK answering a document the hub sent it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hub.domain.acknowledgements import (
    MAX_ERRORS,
    ApplicationAck,
    ApplicationError,
    response_status,
)
from hub.domain.documents import Party
from hub.domain.errors import Problem
from mappings.edifact.common import split35
from mappings.edifact.model import Message, Segment
from mappings.edifact.profile import GENERIC, PartnerProfile
from mappings.edifact.writer import Writer

MESSAGE_TYPE = "APERAK"
ERROR_CODES: dict[str, str] = {
    "UNKNOWN_ITEM": "UNKITEM", "UNKNOWN_PARTY": "UNKPARTY", "DUPLICATE_ORDER": "DUPORDER",
    "DUPLICATE_DOCUMENT": "DUPDOC", "INVALID_VALUE": "12", "MISSING": "13",
}


def render_aperak(doc_number: str, problems: list[Problem], *, aperak_number: str | None = None,
                  referenced_message_ref: str | None = None, issued: datetime | None = None,
                  parties: list[Party] | None = None, profile: PartnerProfile = GENERIC,
                  rejected: bool = True) -> list[Segment]:
    """APERAK body rejecting (or, with rejected=False, acknowledging) document `doc_number`."""
    w = Writer(profile)
    w.add("BGM", "313", aperak_number or f"APK{doc_number}"[:35], "9", "RE" if rejected else "AP")
    w.dtm("137", (issued or datetime.now(UTC)).replace(microsecond=0))
    w.add("RFF", ["ON", doc_number])
    if referenced_message_ref:
        w.add("RFF", ["ACW", referenced_message_ref])
    for party in parties or []:
        w.party(party)
    for problem in problems:
        code = profile.aperak_error_codes.get(problem.code) or ERROR_CODES.get(problem.code, problem.code[:8])
        w.add("ERC", [code, "", "ZZZ"])
        # 4440 is an..70 in D.96A (an..512 only from later directories): the APERAK is D.96A
        w.add("FTX", "AAO", "", "", split35(str(problem), 70)[:5])
    return w.out


def read_aperak(message: Message) -> ApplicationAck:
    """What a partner's APERAK says: its verdict (BGM 4343), the documents it refers to (RFF and,
    from D.01B, DOC) and its errors (ERC, with the FTX that follows each): the first MAX_ERRORS
    of each kept, every error counted."""
    number, response = "", ""
    references: list[tuple[str, str]] = []
    errors: list[ApplicationError] = []
    total = 0  # ERC segments, kept or not
    for segment in message.body():
        tag = segment.tag
        if tag == "BGM":
            number, response = segment.get(1), segment.get(3)
        elif tag == "RFF" and not total:  # RFF under an ERC (SG4/SG5) details that error
            if segment.get(0, 1) and len(references) < MAX_ERRORS:
                references.append((segment.get(0), segment.get(0, 1)))
        elif tag == "DOC" and segment.get(1) and len(references) < MAX_ERRORS:
            references.append((f"DOC:{segment.get(0)}", segment.get(1)))
        elif tag == "ERC":
            total += 1
            if len(errors) < MAX_ERRORS:
                errors.append(ApplicationError(segment.get(0), segment.get(0, 2) or None))
        elif tag == "FTX" and errors and errors[-1].text is None and total == len(errors):
            text = " ".join(c for c in (segment.elements[3] if len(segment.elements) > 3 else [])
                            if c)
            errors[-1].text = text or None
    return ApplicationAck(number=number, message_ref=message.reference,
                          status=response_status(response, bool(total)), response=response,
                          references=references, errors=errors, errors_total=total)
