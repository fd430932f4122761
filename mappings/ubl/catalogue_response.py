"""The buyer's answer to a supplier's catalogue: a UBL 2.1 ApplicationResponse in the Peppol Catalogue
Response profile (T58), accepting (AP) or rejecting (RE) it.

Written from the catalogue alone: its receiver (the buyer, us) sends the response, its provider (the
supplier) receives it; each party by its electronic address, identifiers and registered name, which is
all the T58 data model has for them. What was not applied, or why it was rejected, goes in the
response's note.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from hub.domain.documents import Catalogue, Party, PartyRole
from mappings.ubl.common import header, new_root, opt, peppol_endpoint, scheme_code, serialize, sub

CUSTOMIZATION = "urn:fdc:peppol.eu:poacc:trns:catalogue_response:3"
PROFILE = "urn:fdc:peppol.eu:poacc:bis:catalogue_only:3"
MAX_TEXT = 1000


def claims_peppol_catalogue(doc: Catalogue) -> bool:
    """Whether the catalogue came as a Peppol BIS Catalogue (T19): then it is answered with a T58."""
    return doc.profile.get("customization_id", "").startswith("urn:fdc:peppol.eu:poacc:trns:catalogue:3")


def render(doc: Catalogue, number: str, issued: date | datetime, *, accepted: bool,
           reasons: list[str]) -> bytes:
    """The Catalogue Response of `doc`: AP, or RE; `reasons` joined into its note."""
    root = new_root("ApplicationResponse")
    header(root, CUSTOMIZATION, PROFILE, number, issued, version=None)
    opt(root, "cbc:Note", "; ".join(reasons)[:MAX_TEXT] or None)  # T58 has no place for them elsewhere
    _party(root, "cac:SenderParty", doc.party(PartyRole.buyer))
    _party(root, "cac:ReceiverParty", doc.party(PartyRole.supplier))
    answer = sub(root, "cac:DocumentResponse")
    response = sub(answer, "cac:Response")
    sub(response, "cbc:ResponseCode", "AP" if accepted else "RE")
    sub(sub(answer, "cac:DocumentReference"), "cbc:ID", doc.number)
    return serialize(root)


def _party(root: etree._Element, name: str, party: Party | None) -> None:
    el = sub(root, name)
    if party is None:
        return
    endpoint = peppol_endpoint(party)
    if endpoint is not None:
        sub(el, "cbc:EndpointID", endpoint.value, schemeID=endpoint.raw_scheme)
    for ident in party.ids:
        sub(sub(el, "cac:PartyIdentification"), "cbc:ID", ident.value,
            schemeID=scheme_code(ident, icd_only=True))
    legal = party.legal_name or party.name
    if legal:
        sub(sub(el, "cac:PartyLegalEntity"), "cbc:RegistrationName", legal)
