"""What a partner says about what the hub sent it. A CONTRL (`InterchangeAck`): an interchange
accepted, rejected or only received, at interchange, group and message level, with the syntax
errors it reports. An APERAK (`ApplicationAck`): a document accepted or rejected for business
reasons, with the partner's error codes and texts.

Pure data: `mappings.edifact.contrl.read_contrl` and `mappings.edifact.aperak.read_aperak` fill it,
and the hub records it on the outbound exchange it answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AckStatus(StrEnum):
    awaiting = "awaiting"  # the hub asked for a CONTRL (UNB 0031) and none has come yet
    accepted = "accepted"
    rejected = "rejected"
    partly_rejected = "partly_rejected"  # accepted, but some groups or messages rejected
    received = "received"  # receipt only: acceptance or rejection is still to come


# 0083 Action, coded (ISO 9735 service code list). 1, 2, 3, 5 and 6 are the syntax 3 codes the
# list has since removed; partners still send them.
_ACTIONS: dict[str, AckStatus] = {
    "1": AckStatus.accepted, "2": AckStatus.accepted, "5": AckStatus.accepted,
    "7": AckStatus.accepted,
    "3": AckStatus.partly_rejected,
    "4": AckStatus.rejected, "6": AckStatus.rejected,
    "8": AckStatus.received,
}

# 0085 Syntax error, coded (ISO 9735 service code list)
SYNTAX_ERRORS: dict[str, str] = {
    "2": "syntax version or level not supported",
    "7": "interchange recipient not actual recipient",
    "12": "invalid value",
    "13": "missing",
    "14": "value not supported in this position",
    "15": "not supported in this position",
    "16": "too many constituents",
    "17": "no agreement",
    "18": "unspecified error",
    "19": "invalid decimal notation",
    "20": "character invalid as service character",
    "21": "invalid character(s)",
    "22": "invalid service character(s)",
    "23": "unknown interchange sender",
    "24": "too old",
    "25": "test indicator not supported",
    "26": "duplicate detected",
    "27": "security function not supported",
    "28": "references do not match",
    "29": "control count does not match number of instances received",
    "30": "groups and messages/packages mixed",
    "31": "more than one message type in group",
    "32": "lower level empty",
    "33": "invalid occurrence outside message, package or group",
    "35": "too many data element or segment repetitions",
    "36": "too many segment group repetitions",
    "37": "invalid type of character(s)",
    "38": "missing digit in front of decimal sign",
    "39": "data element too long",
    "40": "data element too short",
}


def ack_status(action: str) -> AckStatus | None:
    """The status a 0083 action code stands for; None for a code the list does not have."""
    return _ACTIONS.get(action.strip())


@dataclass
class ReportedError:
    """One error the partner found: its 0085 code, and where (service segment, or segment and
    element positions counted as ISO 9735 does: UNH = 1, the tag = 1)."""

    code: str
    service_segment: str | None = None  # UNB, UNZ, UNH, UNT ... (0013, 0135)
    segment_position: int | None = None  # UCS 0096, in the message (UNH = 1)
    element_position: int | None = None  # S011 0098
    component_position: int | None = None  # S011 0104
    occurrence: int | None = None  # S011 0136

    @property
    def description(self) -> str:
        return SYNTAX_ERRORS.get(self.code, f"syntax error code {self.code}")

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        out["description"] = self.description
        return out


@dataclass
class MessageAck:
    """The partner's verdict on one message of the interchange (UCM)."""

    reference: str  # 0062 of the message as the hub sent it
    message_type: str  # S009 joined, e.g. INVOIC:D:96A:UN:EAN008
    status: AckStatus
    action: str  # the 0083 code as sent
    errors: list[ReportedError] = field(default_factory=list)
    group_reference: str | None = None  # UNG 0048 when reported under a group (UCF)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reference": self.reference, "type": self.message_type,
                               "status": self.status.value, "action": self.action,
                               "errors": [e.as_dict() for e in self.errors]}
        if self.group_reference is not None:
            out["group_reference"] = self.group_reference
        return out


MAX_REPORTED = 1000  # messages (UCM) and groups (UCF) of one CONTRL kept in detail; all are counted
MAX_ERRORS = 100  # errors kept per message


@dataclass
class InterchangeAck:
    """One CONTRL: the interchange it answers (UCI) and what became of its parts (the first
    MAX_REPORTED messages and groups in detail; every one counted)."""

    control_ref: str  # UCI 0020: the hub's interchange control reference
    sender: str  # UCI S002: the interchange's sender as the partner saw it (the hub)
    recipient: str  # UCI S003: the partner
    status: AckStatus
    action: str
    contrl_ref: str  # the CONTRL's own UNH 0062
    errors: list[ReportedError] = field(default_factory=list)  # UNA/UNB/UNZ errors (UCI)
    messages: list[MessageAck] = field(default_factory=list)
    groups: list[MessageAck] = field(default_factory=list)  # UCF: one entry per functional group
    parts_total: int = 0  # UCM and UCF segments, kept or not
    part_rejected: bool = False  # any of them rejected, kept or not

    def add(self, part: MessageAck, group: bool = False) -> bool:
        """Count a message or group verdict and keep it while under MAX_REPORTED; whether kept."""
        self.parts_total += 1
        self.part_rejected |= part.status in (AckStatus.rejected, AckStatus.partly_rejected)
        if len(self.messages) + len(self.groups) >= MAX_REPORTED:
            return False
        (self.groups if group else self.messages).append(part)
        return True

    @property
    def overall(self) -> AckStatus:
        """The interchange's outcome once lower levels are counted: an interchange accepted
        with a message rejected is partly rejected."""
        if self.status is AckStatus.accepted and self.part_rejected:
            return AckStatus.partly_rejected
        return self.status

    def as_dict(self) -> dict[str, Any]:
        return {"control_ref": self.control_ref, "sender": self.sender,
                "recipient": self.recipient, "status": self.overall.value,
                "action": self.action, "contrl_ref": self.contrl_ref,
                "errors": [e.as_dict() for e in self.errors],
                "groups": [g.as_dict() for g in self.groups],
                "messages": [m.as_dict() for m in self.messages],
                "parts_total": self.parts_total}


# UNCL 4343 Response type code: BGM on an APERAK, ResponseCode on a UBL ApplicationResponse (the
# Peppol Invoice Response adds IP in process, UQ under query, PD paid)
_RESPONSES: dict[str, AckStatus] = {
    "AP": AckStatus.accepted, "PD": AckStatus.accepted,
    "AB": AckStatus.received, "IP": AckStatus.received, "UQ": AckStatus.received,
    "CA": AckStatus.partly_rejected, "RE": AckStatus.rejected,
}


def response_status(code: str, has_errors: bool) -> AckStatus:
    """An APERAK's verdict: its BGM response type when it gives a known one, else rejected when it
    lists errors and accepted when it lists none."""
    return _RESPONSES.get(code.strip()) or (
        AckStatus.rejected if has_errors else AckStatus.accepted)


@dataclass
class ApplicationError:
    """One ERC of an APERAK, with the text of its FTX."""

    code: str  # ERC C901 9321
    agency: str | None = None  # ERC C901 3055 (e.g. ZZZ mutually defined)
    text: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class ApplicationAck:
    """One APERAK or UBL ApplicationResponse: the partner's answer to documents the hub sent it."""

    number: str  # BGM 1004: the APERAK's own number
    message_ref: str  # its UNH 0062
    status: AckStatus
    response: str  # BGM 4343 as sent ("" when absent)
    references: list[tuple[str, str]] = field(default_factory=list)  # (qualifier, number): RFF, DOC
    errors: list[ApplicationError] = field(default_factory=list)  # the first MAX_ERRORS
    errors_total: int = 0
    source: str = "APERAK"  # or "ApplicationResponse" (UBL)
    # UBL: ReceiverParty/EndpointID as (schemeID, value), the identity the partner wrote to
    receiver: tuple[str, str] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "number": self.number, "message_ref": self.message_ref,
                "status": self.status.value, "response": self.response,
                "references": [{"qualifier": q, "number": n} for q, n in self.references],
                "errors": [e.as_dict() for e in self.errors], "errors_total": self.errors_total}
