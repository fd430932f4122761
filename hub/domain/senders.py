"""Who sends a document, and what the hub checks about that party.

The sending party of each document type: the seller of an invoice, credit note, despatch advice
or order response; the buyer of an order; the payer of a remittance advice (its buyer when it
names no payer). The partner posting it must hold the role that sends that type (a supplier, a
buyer), and the sending party's identifiers must not be another partner's.

Pure: the facts are taken from the canonical document once, where it is mapped, and travel as
plain tuples with its record.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from hub.domain.documents import Document, Invoice, Party, PartyRole
from hub.domain.identifiers import key_of

# the canonical party that sends each document type, in order of preference
SENDING_PARTY: dict[str, tuple[PartyRole, ...]] = {
    "invoice": (PartyRole.supplier,), "despatch_advice": (PartyRole.supplier,),
    "order_response": (PartyRole.supplier,), "purchase_order": (PartyRole.buyer,),
    "remittance_advice": (PartyRole.payer, PartyRole.buyer),
    "order_change": (PartyRole.buyer,), "order_cancellation": (PartyRole.buyer,),
    "catalogue": (PartyRole.supplier,),
    "inventory_report": (PartyRole.inventory_reporter, PartyRole.supplier),
}
# the partner role (partners.PARTNER_ROLES) that may send each document type
SENDING_ROLE: dict[str, str] = {
    "invoice": "supplier", "despatch_advice": "supplier", "order_response": "supplier",
    "purchase_order": "buyer", "remittance_advice": "buyer", "order_change": "buyer",
    "order_cancellation": "buyer", "catalogue": "supplier", "inventory_report": "supplier",
}
ROLE_NAMES = {PartyRole.supplier: "seller", PartyRole.buyer: "buyer", PartyRole.payer: "payer",
              PartyRole.inventory_reporter: "inventory reporting"}
DOCUMENT_NAMES = {"invoice": "an invoice", "despatch_advice": "a despatch advice",
                  "order_response": "an order response", "purchase_order": "an order",
                  "remittance_advice": "a remittance advice", "order_change": "an order change",
                  "order_cancellation": "an order cancellation", "catalogue": "a price list (catalogue)",
                  "inventory_report": "an inventory report"}


class SenderId(NamedTuple):
    """One comparable identifier of the sending party, and where on the document it stands."""

    family: str  # gln, duns, vat, cnpj, cpf
    value: str  # normalised (identifiers.normalise)
    raw: str  # as the partner wrote it
    field: str  # endpoint, id, tax, legal
    raw_role: str  # the party's role as written: NAD 3035 (SU) or the UBL element (AccountingSupplierParty)
    role: str  # the canonical party role (PartyRole value)


def sending_party(doc: Document) -> Party | None:
    """The party that sends `doc`, if the document names it."""
    for role in SENDING_PARTY.get(doc.doc_type, ()):
        party = doc.party(role)
        if party is not None:
            return party
    return None


def sender_ids(doc: Document) -> list[SenderId]:
    """The sending party's identifiers the hub can compare (GLN, DUNS, VAT, CNPJ, CPF), endpoint first."""
    party = sending_party(doc)
    if party is None:
        return []
    found = [("endpoint", party.endpoint)] if party.endpoint else []
    found += [("id", i) for i in party.ids] + [("tax", i) for i in party.tax_ids]
    if party.legal_id is not None:
        found.append(("legal", party.legal_id))
    out: list[SenderId] = []
    for where, ident in found:
        key = key_of(ident)
        if key is not None:
            out.append(SenderId(key[0], key[1], ident.value, where, party.raw_role or "",
                                party.role.value))
    return out


_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def normalise_account(account: str) -> str:
    """A bank account (IBAN, or any account number) as it compares: letters and digits, upper case."""
    return _NOT_ALNUM.sub("", account).upper()


def payee_accounts(doc: Document) -> list[str]:
    """The payee bank accounts an invoice asks to be paid to (FII+RB, PayeeFinancialAccount)."""
    if not isinstance(doc, Invoice):
        return []
    accounts = [t.account_id for t in doc.payment_terms if t.account_id]
    return list(dict.fromkeys(accounts))


# UBL: where each kind of party identifier stands under the party element
_UBL_FIELDS = {"endpoint": "cbc:EndpointID", "id": "cac:PartyIdentification/cbc:ID",
               "tax": "cac:PartyTaxScheme/cbc:CompanyID",
               "legal": "cac:PartyLegalEntity/cbc:CompanyID"}
# UBL party elements of PartyType itself (the others hold a cac:Party)
_UBL_PARTY_TYPES = {"PayeeParty", "TaxRepresentativeParty", "OriginatorParty", "DeliveryParty",
                    "ProviderParty", "InventoryReportingParty"}


def location(ident: SenderId, ubl_root: str | None) -> tuple[str, str]:
    """(segment tag, element) for EDIFACT, or ("", XPath) for UBL, of a sending party's identifier."""
    if ubl_root:
        party = f"cac:{ident.raw_role}" if ident.raw_role in _UBL_PARTY_TYPES \
            else f"cac:{ident.raw_role}/cac:Party"
        return "", f"/{ubl_root}/{party}/{_UBL_FIELDS[ident.field]}"
    if ident.field == "tax":
        return "RFF", "C506/1154"
    return "NAD", "C082/3039"


def describe(ident: SenderId, ubl_root: str | None) -> str:
    """How the identifier is named in a message: 'seller party NAD+SU 5790000000005 (GLN)'."""
    role = ROLE_NAMES.get(PartyRole(ident.role), ident.role)
    tag, element = location(ident, ubl_root)
    where = element if ubl_root else (f"NAD+{ident.raw_role}" if tag == "NAD"
                                      else f"RFF under NAD+{ident.raw_role}")
    return f"{role} party {where} {ident.raw} ({ident.family.upper()})"
