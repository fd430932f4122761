"""The hub's Message Level Response (Peppol BIS MLR 3, transaction T71): a UBL 2.1 ApplicationResponse
answering a partner's UBL document the hub refused, as CONTRL and APERAK answer EDIFACT.

DocumentResponse/Response/ResponseCode is RE (rejected: the hub sends an MLR only when it refuses);
DocumentReference/ID is the refused document's cbc:ID (`NA` when it could not be read); each problem
is a LineResponse: LineReference/LineID its XPath (`NA` when it has none), Response/Description its
text, Response/Status/StatusReasonCode SV (syntax: the XML or the UBL schema), BV (a business rule or
the hub's own checks, fatal) or BW (a warning). The sender is the party the refused document was
addressed to and the receiver the party that sent it, each by its Peppol EndpointID (the hub's own
identity and the partner's registered GLN when the document names none).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from hub.domain.documents import Identifier, IdScheme, PartyRole
from hub.domain.errors import HubError, Problem
from hub.xmlsafe import parse_xml
from mappings.ubl.common import NS, new_root, parse_party, peppol_endpoint, serialize, sub, text

CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:mlr:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:mlr:3"
REJECTED = "RE"
NOT_LOCATED = "NA"
MAX_LINES = 200
# besides the XML layer's XML_* codes (the UBL schema's XML_SCHEMA among them), syntax violations (SV)
SYNTAX_CODES = frozenset({"UBL_NOT_UBL"})
# the sending and the receiving party of each document, by the element that holds it
PARTIES: dict[str, tuple[str, str]] = {
    "Invoice": ("cac:AccountingSupplierParty", "cac:AccountingCustomerParty"),
    "CreditNote": ("cac:AccountingSupplierParty", "cac:AccountingCustomerParty"),
    "Order": ("cac:BuyerCustomerParty", "cac:SellerSupplierParty"),
    "OrderChange": ("cac:BuyerCustomerParty", "cac:SellerSupplierParty"),
    "OrderCancellation": ("cac:BuyerCustomerParty", "cac:SellerSupplierParty"),
    "OrderResponse": ("cac:SellerSupplierParty", "cac:BuyerCustomerParty"),
    "DespatchAdvice": ("cac:DespatchSupplierParty", "cac:DeliveryCustomerParty"),
    "RemittanceAdvice": ("cac:AccountingCustomerParty", "cac:AccountingSupplierParty"),
}
# UNCL 1001 name of each document the hub may refuse
DOCUMENT_CODES = {"Invoice": "380", "CreditNote": "381", "Order": "220", "OrderResponse": "231",
                  "DespatchAdvice": "351", "OrderChange": "230", "RemittanceAdvice": "481"}


@dataclass(frozen=True)
class Refused:
    """What the MLR says about the refused document: its id and kind, and who sent it to whom."""

    document_id: str
    kind: str | None = None
    sent_by: Identifier | None = None  # the partner's endpoint (the MLR's receiver)
    sent_to: Identifier | None = None  # the addressee's endpoint (the MLR's sender)


def refused_of(root: etree._Element | None, fallback_id: str | None) -> Refused:
    """Read the refused document's id, kind and endpoints; whatever cannot be read is left out."""
    if root is None:
        return Refused(fallback_id or NOT_LOCATED)
    if etree.QName(root).localname == "StandardBusinessDocument" and len(root):
        root = root[len(root) - 1]  # the document a Peppol envelope carries comes after its header
    kind = etree.QName(root).localname
    sender_path, receiver_path = PARTIES.get(kind, ("", ""))
    return Refused(text(root, "cbc:ID") or fallback_id or NOT_LOCATED, kind,
                   endpoint_at(root, sender_path), endpoint_at(root, receiver_path))


def refused_in(raw: bytes, fallback_id: str | None) -> Refused:
    """`refused_of` on raw bytes that may not even be XML."""
    try:
        root = parse_xml(raw)
    except HubError:
        root = None
    return refused_of(root, fallback_id)


def endpoint_at(root: etree._Element, path: str) -> Identifier | None:
    """The Peppol endpoint of the party at `path` (given, or derived from its GLN or VAT number)."""
    if not path:
        return None
    try:
        party = parse_party(root.find(path, NS), PartyRole.other, path)
    except (HubError, ValueError):
        return None
    return peppol_endpoint(party) if party is not None else None


def gln_endpoint(value: str | None, qualifier: str | None) -> Identifier | None:
    """An EDIFACT identity as a Peppol endpoint: a GLN (UNB qualifier 14) is EAS 0088."""
    if value and qualifier == "14":
        return Identifier(value, IdScheme.gln, "0088")
    return None


def render_mlr(number: str, issued: datetime, refused: Refused, problems: list[Problem], *,
               sender: Identifier | None, receiver: Identifier | None) -> bytes:
    """The MLR rejecting `refused` for `problems` (the first MAX_LINES of them)."""
    root = new_root("ApplicationResponse")
    sub(root, "cbc:CustomizationID", CUSTOMIZATION)
    sub(root, "cbc:ProfileID", PROFILE)
    sub(root, "cbc:ID", number)
    sub(root, "cbc:IssueDate", issued.date())
    sub(root, "cbc:IssueTime", issued.timetz().replace(microsecond=0).isoformat())
    _endpoint_party(root, "cac:SenderParty", refused.sent_to or sender)
    _endpoint_party(root, "cac:ReceiverParty", refused.sent_by or receiver)
    answer = sub(root, "cac:DocumentResponse")
    response = sub(answer, "cac:Response")
    sub(response, "cbc:ResponseCode", REJECTED)
    sub(response, "cbc:Description", _summary(refused, problems))
    reference = sub(answer, "cac:DocumentReference")
    sub(reference, "cbc:ID", refused.document_id)
    if refused.kind in DOCUMENT_CODES:
        sub(reference, "cbc:DocumentTypeCode", DOCUMENT_CODES[refused.kind])
    for problem in problems[:MAX_LINES]:
        _line(answer, problem)
    return serialize(root)


def _endpoint_party(root: etree._Element, name: str, endpoint: Identifier | None) -> None:
    party = sub(root, name)
    if endpoint is not None:
        sub(party, "cbc:EndpointID", endpoint.value, schemeID=endpoint.raw_scheme)


def _summary(refused: Refused, problems: list[Problem]) -> str:
    what = f"{refused.kind} {refused.document_id}" if refused.kind else f"document {refused.document_id}"
    return f"{what} rejected: {len(problems)} problem(s)"


def _line(answer: etree._Element, problem: Problem) -> None:
    line = sub(answer, "cac:LineResponse")
    where = problem.element if problem.element and problem.element.startswith("/") else NOT_LOCATED
    sub(sub(line, "cac:LineReference"), "cbc:LineID", where)
    response = sub(line, "cac:Response")
    sub(response, "cbc:Description", _description(problem))
    sub(sub(response, "cac:Status"), "cbc:StatusReasonCode", status_reason(problem))


def _description(problem: Problem) -> str:
    at_line = f" (line {problem.segment_position})" if problem.segment_position is not None else ""
    return f"{problem.code}: {problem.message}{at_line}"[:1000]


def status_reason(problem: Problem) -> str:
    """SV for a syntax violation, BV for a fatal business rule, BW for a warning (Peppol's code list)."""
    if problem.severity == "warning":
        return "BW"
    return "SV" if problem.code in SYNTAX_CODES or problem.code.startswith("XML_") else "BV"
