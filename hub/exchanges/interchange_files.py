"""A posted file of several EDIFACT interchanges becomes one inbound exchange per interchange.

The file was committed whole when the partner got its 202; processing it cuts it (on bytes, see
mappings.edifact.interchanges) into its interchanges, each stored, in the same transaction, as an
exchange of its own (`part_of` the file, with its position): each is then checked, acknowledged
(CONTRL, APERAK), de-duplicated by its own control reference and stored exactly as a file holding
only it would be, so one faulty interchange rejects nobody else. An interchange the hub holds
already (same bytes or same control reference, here or earlier in the same file) is not stored
again: the file's result names the exchange that has it, with a warning. The file's exchange is
`processed` with `result.interchanges` listing every interchange and where it went.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hub.domain.errors import Problem, ValidationError
from hub.exchanges.pipeline import Outcome
from hub.exchanges.receive import receive_part
from hub.partners.models import Partner
from hub.records.models import Exchange

ACTOR = "system:edifact"
MAX_INTERCHANGES = 10_000  # per file; each becomes an exchange
MAX_LISTED = 200  # interchanges named in the file's result (every part names its file)


class TooManyInterchanges(ValidationError):
    """A file holds more interchanges than one file may."""

    code = "LIMIT_EXCEEDED"


def split_file(session: Session, file: Exchange, partner: Partner,
               spans: list[tuple[int, int]]) -> Outcome:
    """Store each interchange of `file` (at `spans`) as an exchange of its own, waiting to be
    processed; the outcome lists them, duplicates named as such."""
    if len(spans) > MAX_INTERCHANGES:
        raise TooManyInterchanges(
            f"the file holds more than {MAX_INTERCHANGES} interchanges", problems=[Problem(
                code="TOO_MANY_INTERCHANGES", segment_tag="UNB",
                message=f"the file holds more than {MAX_INTERCHANGES} interchanges: send them in "
                        "several files")])
    raw = file.raw
    listed: list[dict[str, Any]] = []
    warnings: list[Problem] = []
    duplicates = 0
    for number, (start, end) in enumerate(spans, 1):
        receipt = receive_part(session, file, raw[start:end], number, actor=ACTOR)
        entry: dict[str, Any] = {"position": number, "control_ref": receipt.exchange.control_ref}
        if receipt.duplicate_of is None:
            entry["exchange_id"] = receipt.exchange.id
        else:
            duplicates += 1
            entry.update(duplicate_of=receipt.duplicate_of, reason=receipt.reason)
            warnings.append(_duplicate(number, entry["control_ref"], receipt.duplicate_of,
                                       receipt.reason))
        if len(listed) < MAX_LISTED:
            listed.append(entry)
    return Outcome(result={"interchanges": listed, "interchanges_total": len(spans),
                           "duplicates_total": duplicates}, warnings=warnings)


def _duplicate(number: int, control_ref: str | None, held_by: str, reason: str | None
               ) -> Problem:
    why = "the same bytes" if reason == "same_bytes" else "the same control reference"
    return Problem(code="DUPLICATE_INTERCHANGE", severity="warning", segment_tag="UNB",
                   element="0020",
                   message=f"interchange {number} of the file ({control_ref or 'no reference'}) "
                           f"was received already ({why}) as exchange {held_by}: it is not "
                           "processed again")
