"""UBL 2.1 ApplicationResponse, as Peppol uses it for the Message Level Response (MLR) and the
Invoice Response: a partner's answer to a document the hub sent it, read into the same
`ApplicationAck` as an EDIFACT APERAK.

Its verdict is DocumentResponse/Response/ResponseCode (UNCL 4343: AB, AP, RE; the Invoice Response
adds IP, UQ, CA, PD); the document it answers is DocumentResponse/DocumentReference/ID; each
LineResponse (MLR: an error, located by LineReference/LineID) and each status reason becomes an
error with its code and text.
"""

from __future__ import annotations

from lxml import etree

from hub.domain.acknowledgements import (
    MAX_ERRORS,
    ApplicationAck,
    ApplicationError,
    response_status,
)
from mappings.ubl.common import clark, text


def read(root: etree._Element) -> ApplicationAck:
    """The ApplicationResponse `root` (schema-valid) as an ApplicationAck."""
    references: list[tuple[str, str]] = []
    errors: list[ApplicationError] = []
    total = 0
    response = ""
    for answer in root.findall(clark("cac:DocumentResponse")):
        response = response or (text(answer, "cac:Response/cbc:ResponseCode") or "")
        number = text(answer, "cac:DocumentReference/cbc:ID")
        if number and len(references) < MAX_ERRORS:
            references.append(("DocumentReference", number))
        found = _status_reasons(answer.find(clark("cac:Response")), None)
        for line in answer.findall(clark("cac:LineResponse")):
            found += _status_reasons(line.find(clark("cac:Response")),
                                     text(line, "cac:LineReference/cbc:LineID"))
        total += len(found)
        errors += found[:max(0, MAX_ERRORS - len(errors))]
    return ApplicationAck(number=text(root, "cbc:ID") or "", message_ref=text(root, "cbc:ID") or "",
                          status=response_status(response, bool(total)), response=response,
                          references=references, errors=errors, errors_total=total,
                          source="ApplicationResponse", receiver=_receiver(root))


def _receiver(root: etree._Element) -> tuple[str, str] | None:
    endpoint = root.find(clark("cac:ReceiverParty/cbc:EndpointID"))
    if endpoint is None or not (endpoint.text or "").strip():
        return None
    return endpoint.get("schemeID") or "", (endpoint.text or "").strip()


def _status_reasons(response: etree._Element | None, where: str | None) -> list[ApplicationError]:
    """One error per Status of a Response (its reason code and text, with the response's
    description and the line it points at); a line's Response without a Status is one error too."""
    if response is None:
        return []
    description = text(response, "cbc:Description")
    statuses = response.findall(clark("cac:Status"))
    if not statuses:
        if where is None:  # the document's own verdict, not an error
            return []
        return [ApplicationError(text(response, "cbc:ResponseCode") or "", None,
                                 _joined(where, description, None))]
    return [ApplicationError(text(status, "cbc:StatusReasonCode") or
                             text(response, "cbc:ResponseCode") or "", None,
                             _joined(where, description, text(status, "cbc:StatusReason")))
            for status in statuses]


def _joined(where: str | None, description: str | None, reason: str | None) -> str | None:
    parts = [p for p in (f"at {where}" if where and where != "NA" else None, description, reason)
             if p]
    return "; ".join(parts) or None
