"""The fidelity table: where every canonical field lives in EDIFACT and in UBL, per message type.

Each row says, for one syntax, one of:
- `Carried(where)`: written on output and read back on input at `where` (EDIFACT segment, qualifier and
  element; UBL XPath relative to the document root, `*` standing for the message type's party or line
  element). The round-trip tests fail when such a field is lost.
- `Recorded(where, reason)`: what the partner sent is kept on input (a raw code, the envelope), but on
  output it is derived from other canonical fields; not compared.
- `NotCarried(reason)`: the syntax (or the Peppol transaction) has no place for it.
- `Gap(where, reason)`: the syntax has a place, the hub's mapping does not fill it yet.

Generic rows (`EDIFACT`, `UBL`) hold for every message type; `EDIFACT_BY_TYPE` / `UBL_BY_TYPE` override
them. A message type's fields are those of its canonical dataclass (hub/domain/documents.py, nested
dataclasses walked): a new field without a row fails `test_table.py`. The directions are symmetric: what
is carried is written by the hub's renderer and read by its parser of that syntax (outbound and inbound).
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.domain.documents import (
    DespatchAdvice,
    Document,
    Invoice,
    OrderCancellation,
    OrderChange,
    OrderResponse,
    PurchaseOrder,
)


@dataclass(frozen=True)
class Carried:
    where: str
    zero_is_none: bool = False  # a rate the category has none of (E, O) reads back as 0


@dataclass(frozen=True)
class Recorded:
    where: str
    reason: str


@dataclass(frozen=True)
class NotCarried:
    reason: str


@dataclass(frozen=True)
class Gap:
    where: str
    reason: str


Row = Carried | Recorded | NotCarried | Gap

# message type -> (canonical class, syntaxes the hub maps it to)
MESSAGE_TYPES: dict[str, tuple[type[Document], tuple[str, ...]]] = {
    "order": (PurchaseOrder, ("edifact", "ubl")),  # ORDERS / Order (T01)
    "order_response": (OrderResponse, ("edifact", "ubl")),  # ORDRSP / OrderResponse (T76)
    "despatch_advice": (DespatchAdvice, ("edifact", "ubl")),  # DESADV / DespatchAdvice (T16)
    "invoice": (Invoice, ("edifact", "ubl")),  # INVOIC 380 / Invoice
    "credit_note": (Invoice, ("edifact", "ubl")),  # INVOIC 381 / CreditNote
    "order_change": (OrderChange, ("edifact", "ubl")),  # ORDCHG / OrderChange (T114)
    "order_cancellation": (OrderCancellation, ("edifact", "ubl")),  # ORDCHG 1225 1 / OrderCancellation (T115)
}

_RAW = "the partner's own code, kept on input; on output the code of the canonical value is written"
_OTHER_LINE = "a price list or inventory report line's field (PRICAT/INVRPT, Catalogue/InventoryReport)"
_OUR = "the hub's own item id from the partner's cross-reference: internal, never sent"

EDIFACT: dict[str, Row] = {
    "number": Carried("BGM C106/1004"),
    "issued": Carried("DTM+137 C507/2380 (format 102/203/303 with zone)"),
    "currency": Carried("CUX+2 C504/6345"),
    "parties[].role": Carried("SG2 NAD 3035 (BY, SU, DP, IV, PE, ...)"),
    "parties[].ids[].value": Carried("SG2 NAD C082/3039"),
    "parties[].ids[].scheme": Carried("SG2 NAD C082/3055 (9 GLN, 91, 92, ...)"),
    "parties[].ids[].raw_scheme": Recorded("SG2 NAD C082/3055", _RAW),
    "parties[].name": Carried("SG2 NAD C080/3036"),
    "parties[].address.street": Carried("SG2 NAD C059/3042 (up to 4)"),
    "parties[].address.city": Carried("SG2 NAD 3164"),
    "parties[].address.postcode": Carried("SG2 NAD 3251"),
    "parties[].address.region": NotCarried(
        "NAD 3229 is a coded country sub-entity (an..9 in D.96A): a free-text region is written as the "
        "last NAD C059 street line and reads back there"),
    "parties[].address.country": Carried("SG2 NAD 3207"),
    "parties[].tax_ids[].value": Carried("SG3 RFF+VA C506/1154 under the NAD"),
    "parties[].tax_ids[].scheme": Carried("SG3 RFF C506/1153 (VA; profile party_ref_schemes)"),
    "parties[].tax_ids[].raw_scheme": Recorded("SG3 RFF C506/1153", _RAW),
    "parties[].contact.name": Carried("SG5 CTA+IC C056/3412"),
    "parties[].contact.phone": Carried("SG5 COM C076/3148 qualifier TE"),
    "parties[].contact.email": Carried("SG5 COM C076/3148 qualifier EM"),
    "parties[].endpoint.value": NotCarried(
        "EDIFACT addresses the interchange (UNB), not a party: the Peppol EndpointID is derived from the "
        "party's GLN when UBL is rendered"),
    "parties[].endpoint.scheme": NotCarried("as parties[].endpoint.value"),
    "parties[].endpoint.raw_scheme": NotCarried("as parties[].endpoint.value"),
    "parties[].raw_role": Recorded("SG2 NAD 3035", _RAW),
    "parties[].legal_name": NotCarried(
        "NAD C080 carries one party name; D.96A has no qualifier for a registered name beside it"),
    "parties[].legal_id.value": Carried("SG3 RFF+GN (or XA) C506/1154 under the NAD (EN 16931 BT-30, "
                                        "BT-47, BT-61; table edifact_1153_fields)"),
    "parties[].legal_id.scheme": NotCarried("RFF has no scheme: a UBL CompanyID's ICD (@schemeID) is not "
                                            "written and reads back as none"),
    "parties[].legal_id.raw_scheme": Recorded("SG3 RFF C506/1153 (GN or XA)", _RAW),
    "parties[].legal_only": NotCarried("UBL's placement of the name (no PartyName); EDIFACT has one name"),
    "references[].kind": Carried("SG1 RFF C506/1153 (ON, CT, AAG, CR, IV, ...)"),
    "references[].number": Carried("SG1 RFF C506/1154"),
    "references[].issued": Carried("SG1 DTM+171 after the RFF"),
    "references[].line": Carried("SG1 RFF C506/1156"),
    "references[].raw_kind": Recorded("SG1 RFF C506/1153", _RAW),
    "lines[].number": Carried("LIN 1082"),
    "lines[].item.gtin": Carried("LIN C212/7140 with 7143 EN (SRV from D.01B)"),
    "lines[].item.buyer_number": Carried("PIA+1 C212/7140 with 7143 IN"),
    "lines[].item.supplier_number": Carried("PIA+1 C212/7140 with 7143 SA"),
    "lines[].item.our_number": NotCarried(_OUR),
    "lines[].item.description": Carried("IMD+F C273/7008"),
    "lines[].item.name": NotCarried("IMD+F carries one description; the short name has no place of its own"),
    "lines[].item.other_ids[].value": Gap("PIA+1 C212/7140", "identifiers of other schemes are read only"),
    "lines[].item.other_ids[].scheme": Gap("PIA+1 C212/7143", "as lines[].item.other_ids[].value"),
    "lines[].item.other_ids[].raw_scheme": Gap("PIA+1 C212/7143", "as lines[].item.other_ids[].value"),
    "lines[].quantities[].value": Carried("SG QTY C186/6060"),
    "lines[].quantities[].unit": Carried("QTY C186/6411 (Rec 20; profile unit_codes)"),
    "lines[].quantities[].kind": Carried("QTY C186/6063 (21 ordered, 12 despatched, 47 invoiced, 113, 83)"),
    "lines[].prices[].amount": Carried("PRI C509/5118"),
    "lines[].prices[].base_quantity": Carried("PRI C509/5284"),
    "lines[].prices[].unit": Carried("PRI C509/6411"),
    "lines[].prices[].kind": Carried("PRI C509/5125 (AAA net, AAB gross)"),
    "lines[].prices[].min_quantity": NotCarried(_OTHER_LINE + ": a price break (RNG) is a price list's"),
    "lines[].line_amount": Carried("line MOA+203"),
    "lines[].tax_category": Carried("line TAX+7 5305"),
    "lines[].tax_rate": Carried("line TAX+7 C243/5278"),
    "lines[].allowances_charges[].is_charge": Carried("line ALC 5463 (A allowance, C charge)"),
    "lines[].allowances_charges[].amount": Carried("line ALC group MOA+204 / MOA+23"),
    "lines[].allowances_charges[].reason": Carried("line ALC C214/7160"),
    "lines[].allowances_charges[].reason_code": Carried("line ALC C214/7161"),
    "lines[].allowances_charges[].base_amount": Carried("line ALC group MOA+25"),
    "lines[].allowances_charges[].percent": Carried("line ALC group PCD+1 C501/5482"),
    "lines[].allowances_charges[].tax_category": NotCarried(
        "a line allowance is taxed with its line (EN 16931 has no tax category on it)"),
    "lines[].allowances_charges[].tax_rate": NotCarried("as lines[].allowances_charges[].tax_category"),
    "lines[].delivery_date": Carried("line DTM+2"),
    "lines[].references[].kind": Carried("line RFF C506/1153 (ON)"),
    "lines[].references[].number": Carried("line RFF C506/1154"),
    "lines[].references[].issued": Gap("line DTM+171", "a line reference's date is not written"),
    "lines[].references[].line": Carried("line RFF C506/1156"),
    "lines[].references[].raw_kind": Recorded("line RFF C506/1153", _RAW),
    "lines[].status": Carried("LIN 1229 (5 accepted, 3 changed, 7 rejected)"),
    "lines[].notes": Carried("line FTX+AAI C108/4440"),
    "lines[].delivery_end": Gap("line DTM+63 (latest delivery)",
                                "the end of a delivery period is not written"),
    "lines[].valid_from": NotCarried(_OTHER_LINE),
    "lines[].valid_to": NotCarried(_OTHER_LINE),
    "lines[].location": NotCarried(_OTHER_LINE),
    "lines[].as_of": NotCarried(_OTHER_LINE),
    "notes": Carried("FTX+AAI C108/4440"),
    "accounting_cost": Carried("SG3 RFF+AOU C506/1154 under NAD+BY, else under the last NAD (EN 16931 "
                               "BT-19); read there or in SG1"),
    "lines[].accounting_cost": Carried("line RFF+AOU C506/1154 (AWQ read too, as EN 16931 binds BT-133)"),
    "function": Carried("BGM 1225 (9 original, 5 replace, 1 cancel, 7 duplicate)"),
    "type_code": Recorded("BGM C002/1001", "the document name code as sent; written from the type"),
    "profile": Recorded("UNB/UNH", "envelope facts (syntax, directory, sender) recorded on input"),
    "delivery_date": Carried("DTM+2"),
    "delivery_end": Gap("DTM+63", "the end of a delivery period is not written"),
    "totals.line_total": Carried("SG MOA+79"),
    "totals.allowance_total": Carried("MOA+260"),
    "totals.charge_total": Carried("MOA+259"),
    "totals.tax_exclusive": Carried("MOA+125"),
    "totals.tax_total": Carried("MOA+176"),
    "totals.tax_total_tax_currency": Gap("MOA+176 with C516/6343 9 (CUX+3)",
                                         "a second tax currency is not mapped"),
    "totals.tax_inclusive": Carried("MOA+86"),
    "totals.prepaid": Carried("MOA+113"),
    "totals.rounding": Gap("MOA+165", "the rounding amount is not written"),
    "totals.payable": Carried("MOA+9"),
    "validity_end": Carried("DTM+36 (expiry date)"),
    "allowances_charges[].is_charge": Carried("SG ALC 5463"),
    "allowances_charges[].amount": Carried("ALC group MOA+204 / MOA+23"),
    "allowances_charges[].reason": Carried("ALC C214/7160"),
    "allowances_charges[].reason_code": Carried("ALC C214/7161"),
    "allowances_charges[].base_amount": Carried("ALC group MOA+25"),
    "allowances_charges[].percent": Carried("ALC group PCD+1"),
    "allowances_charges[].tax_category": Carried("ALC group TAX+7 5305"),
    "allowances_charges[].tax_rate": Carried("ALC group TAX+7 C243/5278"),
    "order_number": Carried("SG1 RFF+ON C506/1154"),
    "response": Carried("BGM 4343 (AP accepted, AC with changes, RE rejected)"),
    "despatch_date": Carried("DTM+11"),
    "is_credit_note": Carried("BGM C002/1001 (381)"),
    "due_date": Carried("DTM+13"),
    "tax_point_date": Carried("DTM+131"),
    "tax_subtotals[].category": Carried("SG TAX+7 5305 after UNS"),
    "tax_subtotals[].rate": Carried("TAX+7 C243/5278 (absent for E, O)", zero_is_none=True),
    "tax_subtotals[].taxable_amount": Carried("MOA+125 after the TAX"),
    "tax_subtotals[].tax_amount": Carried("MOA+124 after the TAX"),
    "tax_subtotals[].scheme": Carried("TAX C241/5153 (VAT, GST, ...)"),
    "tax_subtotals[].exemption_reason": Carried("FTX+TXD C108/4440, one per exempt breakdown (E, AE, K, "
                                                "G, O) in their order"),
    "tax_subtotals[].exemption_reason_code": Carried("FTX+TXD C108/4440 first component (VATEX code; "
                                                     "C107/4441 is an..3)"),
    "payment_terms[].description": Carried("PAT C110/4276"),
    "payment_terms[].due_date": Carried("PAT group DTM+13"),
    "payment_terms[].discount_percent": Carried("PAT group PCD+12"),
    "payment_terms[].discount_days": Carried("PAT C112/2152 with 2009 5"),
    "payment_terms[].means_code": Carried("PAI C534/4461"),
    "payment_terms[].account_id": Carried("FII+RB C078/3194 after NAD+PE/SU"),
    "payment_terms[].payment_reference": Carried("SG1 RFF+PQ C506/1154"),
    "payment_terms[].means_text": NotCarried("PAI carries the coded means only"),
    "payment_terms[].bank_id": Gap("FII+RB C088/3433", "the payee's BIC is not written"),
    "payment_terms[].payee_name": Gap("FII+RB C078/3192", "the account's name is not written"),
    "payment_terms[].instruction": NotCarried("a Pix/QR payload has no EDIFACT element"),
    "payment_terms[].mandate_reference": NotCarried("D.96A INVOIC has no direct-debit mandate element"),
    "payment_terms[].creditor_id": NotCarried("D.96A INVOIC has no direct-debit creditor element"),
    "tax_currency": Gap("CUX+3", "a second tax currency is not mapped"),
    "buyer_reference": Carried("SG1 RFF+CR C506/1154"),
    "period_start": Carried("DTM+167"),
    "period_end": Carried("DTM+168"),
}

_NO_COST = "the buyer's accounting reference belongs to the buyer's order, order change and invoice lines"
EDIFACT_BY_TYPE: dict[str, dict[str, Row]] = {
    "order": {
        "delivery_end": Gap("DTM+63", "ORDERS does not write the end of the requested delivery period"),
    },
    "order_response": {
        "type_code": Recorded("BGM C002/1001 (231)", "UBL's OrderResponseCode is not a 1001 code"),
        "delivery_date": Carried("DTM+2, or DTM+64 (earliest) when a period is promised"),
        "delivery_end": Carried("DTM+63 (latest delivery) after DTM+64"),
    },
    "invoice": {
        "delivery_date": Carried("DTM+35 (actual delivery date)"),
    },
    # ORDCHG (mappings/edifact/ordchg.py): BGM 1001 230 for both, 1225 1 makes it a cancellation
    "order_change": {
        "function": Carried("BGM 1225 (4 change written for an original; 5 replace, 7 duplicate)"),
        "type_code": Recorded("BGM C002/1001 (230)", "ORDCHG names the message itself: an order's own "
                                                     "type code (220) is not written; 230 reads as none"),
        "order_number": Carried("SG1 RFF+ON C506/1154 (the order changed)"),
        "sequence": Carried("SG1 RFF+PP C506/1154 (purchase order change number)"),
        "delivery_date": Carried("DTM+2, or DTM+64 (earliest) when a period is given"),
        "delivery_end": Carried("DTM+63 (latest delivery) after DTM+64"),
        "lines[].status": Carried("LIN 1229 (1 added, 2 deleted, 3 changed; UNCL 1229 as UBL's "
                                  "LineStatusCode)"),
    },
    "order_cancellation": {
        "function": Recorded("BGM 1225 (1 cancellation)", "1225 1 is what makes an ORDCHG a cancellation: "
                                                          "always written, not the canonical function"),
        "type_code": Recorded("BGM C002/1001 (230)", "ORDCHG names the message itself; 230 reads as none"),
        "order_number": Carried("SG1 RFF+ON C506/1154 (the order cancelled)"),
        "reason": Carried("header FTX+ACD C108/4440 (reason), before the FTX+AAI notes"),
    },
}
EDIFACT_BY_TYPE["credit_note"] = EDIFACT_BY_TYPE["invoice"]

_PARTY = "cac:*Party/cac:Party"
_LINE = "cac:*Line"
UBL: dict[str, Row] = {
    "number": Carried("cbc:ID"),
    "issued": Carried("cbc:IssueDate, cbc:IssueTime (with zone)"),
    "currency": Carried("cbc:DocumentCurrencyCode"),
    "parties[].role": Carried("the party element: cac:AccountingSupplierParty, cac:BuyerCustomerParty, ..."),
    "parties[].ids[].value": Carried(f"{_PARTY}/cac:PartyIdentification/cbc:ID"),
    "parties[].ids[].scheme": Carried(f"{_PARTY}/cac:PartyIdentification/cbc:ID/@schemeID (ICD 0088, ...)"),
    "parties[].ids[].raw_scheme": Carried(f"{_PARTY}/cac:PartyIdentification/cbc:ID/@schemeID"),
    "parties[].name": Carried(f"{_PARTY}/cac:PartyName/cbc:Name"),
    "parties[].address.street": Carried(f"{_PARTY}/cac:PostalAddress/cbc:StreetName, "
                                        "cbc:AdditionalStreetName, cac:AddressLine/cbc:Line"),
    "parties[].address.city": Carried(f"{_PARTY}/cac:PostalAddress/cbc:CityName"),
    "parties[].address.postcode": Carried(f"{_PARTY}/cac:PostalAddress/cbc:PostalZone"),
    "parties[].address.region": Carried(f"{_PARTY}/cac:PostalAddress/cbc:CountrySubentity"),
    "parties[].address.country": Carried(f"{_PARTY}/cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
    "parties[].tax_ids[].value": Carried(f"{_PARTY}/cac:PartyTaxScheme/cbc:CompanyID"),
    "parties[].tax_ids[].scheme": Carried(f"{_PARTY}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID"),
    "parties[].tax_ids[].raw_scheme": Carried(f"{_PARTY}/cac:PartyTaxScheme/cac:TaxScheme/cbc:ID"),
    "parties[].contact.name": Carried(f"{_PARTY}/cac:Contact/cbc:Name"),
    "parties[].contact.phone": Carried(f"{_PARTY}/cac:Contact/cbc:Telephone"),
    "parties[].contact.email": Carried(f"{_PARTY}/cac:Contact/cbc:ElectronicMail"),
    "parties[].endpoint.value": Carried(f"{_PARTY}/cbc:EndpointID"),
    "parties[].endpoint.scheme": Carried(f"{_PARTY}/cbc:EndpointID/@schemeID"),
    "parties[].endpoint.raw_scheme": Carried(f"{_PARTY}/cbc:EndpointID/@schemeID"),
    "parties[].raw_role": Recorded("the party element's name", _RAW),
    "parties[].legal_name": Carried(f"{_PARTY}/cac:PartyLegalEntity/cbc:RegistrationName"),
    "parties[].legal_id.value": Carried(f"{_PARTY}/cac:PartyLegalEntity/cbc:CompanyID"),
    "parties[].legal_id.scheme": Carried(f"{_PARTY}/cac:PartyLegalEntity/cbc:CompanyID/@schemeID"),
    "parties[].legal_id.raw_scheme": Carried(f"{_PARTY}/cac:PartyLegalEntity/cbc:CompanyID/@schemeID"),
    "parties[].legal_only": Carried(f"{_PARTY}: PartyLegalEntity without cac:PartyName"),
    "references[].kind": Carried("the reference element: cac:OrderReference, cac:ContractDocumentReference, "
                                 "cac:QuotationDocumentReference, cac:BillingReference, ..."),
    "references[].number": Carried("cac:*Reference/cbc:ID"),
    "references[].issued": Carried("cac:*Reference/cbc:IssueDate"),
    "references[].line": Carried("cac:OrderLineReference/cbc:LineID"),
    "references[].raw_kind": Recorded("the reference element's name", _RAW),
    "lines[].number": Carried(f"{_LINE}/cbc:ID (cac:LineItem/cbc:ID in ordering)"),
    "lines[].item.gtin": Carried(f"{_LINE}/cac:Item/cac:StandardItemIdentification/cbc:ID[@schemeID='0160']"),
    "lines[].item.buyer_number": Carried(f"{_LINE}/cac:Item/cac:BuyersItemIdentification/cbc:ID"),
    "lines[].item.supplier_number": Carried(f"{_LINE}/cac:Item/cac:SellersItemIdentification/cbc:ID"),
    "lines[].item.our_number": NotCarried(_OUR),
    "lines[].item.description": Carried(f"{_LINE}/cac:Item/cbc:Description"),
    "lines[].item.name": Carried(f"{_LINE}/cac:Item/cbc:Name"),
    "lines[].item.other_ids[].value": Gap(
        f"{_LINE}/cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode[@listID], "
        "cac:StandardItemIdentification/cbc:ID",
        "one typed by a UNCL 7143 code is an item classification (listID), else the first is the standard "
        "identifier when there is no GTIN (UBL 2.1 has one); further ones are not written"),
    "lines[].item.other_ids[].scheme": Gap("as lines[].item.other_ids[].value", "as other_ids[].value"),
    "lines[].item.other_ids[].raw_scheme": Gap("as lines[].item.other_ids[].value", "as other_ids[].value"),
    "lines[].quantities[].value": Carried(f"{_LINE}/cbc:InvoicedQuantity | cbc:Quantity | "
                                          "cbc:DeliveredQuantity | cbc:CreditedQuantity"),
    "lines[].quantities[].unit": Carried("the quantity's @unitCode (Rec 20)"),
    "lines[].quantities[].kind": Carried("which quantity element (BackorderQuantity for backordered)"),
    "lines[].prices[].amount": Carried(f"{_LINE}/cac:Price/cbc:PriceAmount (net), "
                                       "cac:Price/cac:AllowanceCharge/cbc:BaseAmount (gross)"),
    "lines[].prices[].base_quantity": Carried(f"{_LINE}/cac:Price/cbc:BaseQuantity"),
    "lines[].prices[].unit": Carried(f"{_LINE}/cac:Price/cbc:BaseQuantity/@unitCode"),
    "lines[].prices[].kind": Carried("net PriceAmount or gross BaseAmount"),
    "lines[].prices[].min_quantity": NotCarried(_OTHER_LINE + ": a price break is a Catalogue's"),
    "lines[].line_amount": Carried(f"{_LINE}/cbc:LineExtensionAmount"),
    "lines[].tax_category": Carried(f"{_LINE}/cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
    "lines[].tax_rate": Carried(f"{_LINE}/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", zero_is_none=True),
    "lines[].allowances_charges[].is_charge": Carried(f"{_LINE}/cac:AllowanceCharge/cbc:ChargeIndicator"),
    "lines[].allowances_charges[].amount": Carried(f"{_LINE}/cac:AllowanceCharge/cbc:Amount"),
    "lines[].allowances_charges[].reason": Carried(f"{_LINE}/cac:AllowanceCharge/cbc:AllowanceChargeReason"),
    "lines[].allowances_charges[].reason_code": Carried(
        f"{_LINE}/cac:AllowanceCharge/cbc:AllowanceChargeReasonCode"),
    "lines[].allowances_charges[].base_amount": Carried(f"{_LINE}/cac:AllowanceCharge/cbc:BaseAmount"),
    "lines[].allowances_charges[].percent": Carried(
        f"{_LINE}/cac:AllowanceCharge/cbc:MultiplierFactorNumeric"),
    "lines[].allowances_charges[].tax_category": NotCarried(
        "EN 16931 line allowances have no tax category (taxed with the line)"),
    "lines[].allowances_charges[].tax_rate": NotCarried("as lines[].allowances_charges[].tax_category"),
    "lines[].delivery_date": Carried(f"{_LINE}/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate "
                                     "(PromisedDeliveryPeriod in T76)"),
    "lines[].references[].kind": Carried(f"{_LINE}/cac:OrderLineReference"),
    "lines[].references[].number": Carried(f"{_LINE}/cac:OrderLineReference/cac:OrderReference/cbc:ID"),
    "lines[].references[].issued": NotCarried("an order line reference has no date in UBL"),
    "lines[].references[].line": Carried(f"{_LINE}/cac:OrderLineReference/cbc:LineID"),
    "lines[].references[].raw_kind": Recorded("the line reference element's name", _RAW),
    "lines[].status": Carried("cac:OrderLine/cac:LineItem/cbc:LineStatusCode"),
    "lines[].notes": Carried(f"{_LINE}/cbc:Note"),
    "lines[].delivery_end": Carried(f"{_LINE}/cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate"),
    "lines[].valid_from": NotCarried(_OTHER_LINE),
    "lines[].valid_to": NotCarried(_OTHER_LINE),
    "lines[].location": NotCarried(_OTHER_LINE),
    "lines[].as_of": NotCarried(_OTHER_LINE),
    "notes": Carried("cbc:Note"),
    "accounting_cost": Carried("cbc:AccountingCost (BT-19)"),
    "lines[].accounting_cost": Carried(f"{_LINE}/cbc:AccountingCost (cac:LineItem/cbc:AccountingCost in "
                                       "ordering; BT-133)"),
    "function": NotCarried("UBL has no message function: a replacement or cancellation is its own "
                           "document type (OrderChange, OrderCancellation, CreditNote)"),
    "type_code": Recorded("cbc:InvoiceTypeCode, cbc:OrderTypeCode, ...", "written from the type"),
    "profile": Recorded("cbc:CustomizationID, cbc:ProfileID, cbc:UBLVersionID",
                        "the specification the document claims, recorded on input"),
    "delivery_date": Carried("cac:Delivery/cac:RequestedDeliveryPeriod/cbc:StartDate (Invoice: "
                             "cac:Delivery/cbc:ActualDeliveryDate)"),
    "delivery_end": Carried("cac:Delivery/cac:RequestedDeliveryPeriod/cbc:EndDate"),
    "totals.line_total": Carried("cac:LegalMonetaryTotal/cbc:LineExtensionAmount"),
    "totals.allowance_total": Carried("cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount"),
    "totals.charge_total": Carried("cac:LegalMonetaryTotal/cbc:ChargeTotalAmount"),
    "totals.tax_exclusive": Carried("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
    "totals.tax_total": Carried("cac:TaxTotal/cbc:TaxAmount"),
    "totals.tax_total_tax_currency": Carried("cac:TaxTotal/cbc:TaxAmount[@currencyID=TaxCurrencyCode]"),
    "totals.tax_inclusive": Carried("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
    "totals.prepaid": Carried("cac:LegalMonetaryTotal/cbc:PrepaidAmount"),
    "totals.rounding": Carried("cac:LegalMonetaryTotal/cbc:PayableRoundingAmount"),
    "totals.payable": Carried("cac:LegalMonetaryTotal/cbc:PayableAmount (AnticipatedMonetaryTotal in T01)"),
    "validity_end": Carried("cac:ValidityPeriod/cbc:EndDate"),
    "allowances_charges[].is_charge": Carried("cac:AllowanceCharge/cbc:ChargeIndicator"),
    "allowances_charges[].amount": Carried("cac:AllowanceCharge/cbc:Amount"),
    "allowances_charges[].reason": Carried("cac:AllowanceCharge/cbc:AllowanceChargeReason"),
    "allowances_charges[].reason_code": Carried("cac:AllowanceCharge/cbc:AllowanceChargeReasonCode"),
    "allowances_charges[].base_amount": Carried("cac:AllowanceCharge/cbc:BaseAmount"),
    "allowances_charges[].percent": Carried("cac:AllowanceCharge/cbc:MultiplierFactorNumeric"),
    "allowances_charges[].tax_category": Carried("cac:AllowanceCharge/cac:TaxCategory/cbc:ID"),
    "allowances_charges[].tax_rate": Carried("cac:AllowanceCharge/cac:TaxCategory/cbc:Percent"),
    "order_number": Carried("cac:OrderReference/cbc:ID"),
    "sequence": Carried("cbc:SequenceNumberID"),
    "reason": Carried("cbc:CancellationNote"),
    "response": Carried("cbc:OrderResponseCode (AP, CA, RE)"),
    "despatch_date": Carried("cac:Shipment/cac:Delivery/cac:Despatch/cbc:ActualDespatchDate"),
    "is_credit_note": Carried("the root element: CreditNote"),
    "due_date": Carried("cbc:DueDate (CreditNote: cac:PaymentMeans/cbc:PaymentDueDate)"),
    "tax_point_date": Carried("cbc:TaxPointDate"),
    "tax_subtotals[].category": Carried("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID"),
    "tax_subtotals[].rate": Carried("cac:TaxSubtotal/cac:TaxCategory/cbc:Percent (0 for E, O)",
                                    zero_is_none=True),
    "tax_subtotals[].taxable_amount": Carried("cac:TaxSubtotal/cbc:TaxableAmount"),
    "tax_subtotals[].tax_amount": Carried("cac:TaxSubtotal/cbc:TaxAmount"),
    "tax_subtotals[].scheme": Carried("cac:TaxSubtotal/cac:TaxCategory/cac:TaxScheme/cbc:ID"),
    "tax_subtotals[].exemption_reason": Carried("cac:TaxCategory/cbc:TaxExemptionReason"),
    "tax_subtotals[].exemption_reason_code": Carried("cac:TaxCategory/cbc:TaxExemptionReasonCode"),
    "payment_terms[].description": Carried("cac:PaymentTerms/cbc:Note"),  # one per invoice: see below
    "payment_terms[].due_date": Gap("cac:PaymentMeans/cbc:PaymentDueDate", "per-term due dates not written"),
    "payment_terms[].discount_percent": Gap("cac:PaymentTerms/cbc:SettlementDiscountPercent",
                                            "discounts are not written"),
    "payment_terms[].discount_days": Gap("cac:PaymentTerms/cac:SettlementPeriod", "not written"),
    "payment_terms[].means_code": Carried("cac:PaymentMeans/cbc:PaymentMeansCode"),
    "payment_terms[].account_id": Carried("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
    "payment_terms[].payment_reference": Carried("cac:PaymentMeans/cbc:PaymentID"),
    "payment_terms[].means_text": Carried("cac:PaymentMeans/cbc:PaymentMeansCode/@name"),
    "payment_terms[].bank_id": Carried("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
    "payment_terms[].payee_name": Carried("cac:PayeeFinancialAccount/cbc:Name"),
    "payment_terms[].instruction": NotCarried(
        "EN 16931 has no payment instruction element: it is appended to the payment terms text (BT-20) as "
        "'<means>: <instruction>' and reads back as part of it"),
    "payment_terms[].mandate_reference": Carried("cac:PaymentMeans/cac:PaymentMandate/cbc:ID"),
    "payment_terms[].creditor_id": Carried("cac:AccountingSupplierParty//cac:PartyIdentification/cbc:ID"
                                           "[@schemeID='SEPA']"),
    "tax_currency": Carried("cbc:TaxCurrencyCode"),
    "buyer_reference": Carried("cbc:BuyerReference"),
    "period_start": Carried("cac:InvoicePeriod/cbc:StartDate"),
    "period_end": Carried("cac:InvoicePeriod/cbc:EndDate"),
}

# what the Peppol ordering transactions (T01, T76, T16, T114, T115) have no place for
_T01_TAX = NotCarried("Peppol T01 has no PartyTaxScheme for the order's parties")
_ORDERING_TAX = {f"parties[].tax_ids[].{f}": _T01_TAX for f in ("value", "scheme", "raw_scheme")}
_CORE = "Peppol {t} parties carry identifiers, EndpointID and the registered name only"
_PARTY_CORE = ("name", "address.street", "address.city", "address.postcode", "address.region",
               "address.country", "contact.name", "contact.phone", "contact.email", "legal_id.value",
               "legal_id.scheme", "legal_id.raw_scheme", "legal_only", "legal_name")
_T01_REFS = {
    "references[].issued": NotCarried("T01's document references (quotation, contract, originator) "
                                      "carry the ID only"),
    **{f"lines[].references[].{f}": NotCarried("a T01 order line refers to no other document")
       for f in ("kind", "number", "line")},
}
_NAME_ONLY = NotCarried("the {t} Item has cbc:Name only: the description is written there and reads "
                        "back as the description")
_DERIVED_ENDPOINT = {f"parties[].endpoint.{f}": Recorded(f"{_PARTY}/cbc:EndpointID",
                                                         "derived from the party's GLN on output")
                     for f in ("value", "scheme", "raw_scheme")}
UBL_BY_TYPE: dict[str, dict[str, Row]] = {
    "order": {**_ORDERING_TAX, **_T01_REFS},
    "order_change": {**_ORDERING_TAX, **_T01_REFS,
                     "type_code": Recorded("cbc:OrderTypeCode", "an order change keeps no type code")},
    "order_cancellation": {**_ORDERING_TAX},
    "order_response": {
        **_ORDERING_TAX,
        **{f"parties[].{f}": NotCarried(_CORE.format(t="T76") + " (PartyName as RegistrationName)")
           for f in _PARTY_CORE},
        "references[].issued": NotCarried("T76's OrderReference has no IssueDate"),
        "references[].kind": Carried("cac:OrderReference only: T76 refers to no other document (a "
                                     "contract or quotation reference is not written)"),
        "lines[].item.name": NotCarried(_NAME_ONLY.reason.format(t="T76")),
    },
    "despatch_advice": {
        **_ORDERING_TAX,
        **{f"parties[].{f}": NotCarried(_CORE.format(t="T16") + " (PartyName as RegistrationName)")
           for f in _PARTY_CORE},
        **_DERIVED_ENDPOINT,
        "lines[].item.name": NotCarried(_NAME_ONLY.reason.format(t="T16")),
        "type_code": Recorded("cbc:DespatchAdviceTypeCode", "written from the type"),
        "references[].kind": Carried("cac:OrderReference only: T16 refers to no other document (a "
                                     "contract reference is not written)"),
    },
}


_LINE_ALC = tuple(f"lines[].allowances_charges[].{f}" for f in (
    "is_charge", "amount", "reason", "reason_code", "base_amount", "percent", "tax_category", "tax_rate"))
_LINE_ITEM = tuple(f"lines[].{f}" for f in (
    "number", "item.gtin", "item.buyer_number", "item.supplier_number", "item.our_number",
    "item.description", "item.name", "item.other_ids[].value", "item.other_ids[].scheme",
    "item.other_ids[].raw_scheme", "quantities[].value", "quantities[].unit", "quantities[].kind",
    "prices[].amount", "prices[].base_quantity", "prices[].unit", "prices[].kind", "prices[].min_quantity",
    "line_amount", "tax_category", "tax_rate", "delivery_date", "references[].kind",
    "references[].number", "references[].issued", "references[].line", "references[].raw_kind", "status",
    "notes", "delivery_end", "valid_from", "valid_to", "location", "as_of", "accounting_cost")) + _LINE_ALC
_PRICED = ("lines[].prices[].amount", "lines[].prices[].base_quantity", "lines[].prices[].unit",
           "lines[].prices[].kind", "lines[].line_amount", "lines[].tax_category", "lines[].tax_rate",
           *_LINE_ALC)

# fields of a canonical class that a message type has no use for, in either syntax
NOT_IN_TYPE: dict[str, dict[str, str]] = {
    "order": {
        "lines[].status": "a line's action belongs to an order response",
        "references[].line": "the order's document references name no line",
        "totals.tax_total_tax_currency": "an order has one currency (T01, ORDERS)",
    },
    "order_cancellation": {
        **dict.fromkeys(_LINE_ITEM, "a cancellation withdraws the whole order: it has no lines (T115)"),
        "currency": "a cancellation carries no amounts",
        "references[].line": "the cancelled order is named as a whole",
        "references[].issued": "T115's OrderReference has no IssueDate",
    },
    "order_response": {
        **dict.fromkeys(("lines[].line_amount", "lines[].tax_category", "lines[].tax_rate",
                         "lines[].prices[].unit", *_LINE_ALC),
                        "an order response line answers with quantity, price, delivery and status "
                        "(T76, ORDRSP as mapped): no amounts, tax or allowances"),
        "lines[].references[].number": "a response line refers to a line of the order it answers: "
                                       "the order number is the document's (order_number)",
        "references[].line": "the answered order is named as a whole",
        "lines[].accounting_cost": _NO_COST,
    },
    "despatch_advice": {
        **dict.fromkeys(_PRICED, "a despatch advice carries quantities, not prices, amounts or tax"),
        "currency": "a despatch advice carries no amounts",
        "lines[].status": "a line's action belongs to an order response",
        "lines[].delivery_date": "the delivery date is the despatch's (delivery_date)",
        "lines[].delivery_end": "the delivery date is the despatch's (delivery_date)",
        "lines[].item.buyer_number": "T16 and DESADV as mapped identify the item by GTIN and "
                                     "the seller's number",
        "references[].issued": "T16's OrderReference has no IssueDate",
        "references[].line": "the order is named as a whole; lines refer to its lines",
        "lines[].accounting_cost": _NO_COST,
    },
    "invoice": {
        "lines[].status": "a line's action belongs to an order response",
        "lines[].delivery_date": "EN 16931 has no delivery date per invoice line",
        "lines[].delivery_end": "EN 16931 has no delivery period per invoice line",
        "references[].line": "EN 16931 document references name no line",
    },
}
NOT_IN_TYPE["order_change"] = {k: v for k, v in NOT_IN_TYPE["order"].items()
                               if k != "lines[].status"}  # a change's line action (UNCL 1229)
NOT_IN_TYPE["credit_note"] = dict(NOT_IN_TYPE["invoice"])
NOT_IN_TYPE["invoice"]["references[].issued"] = "only a credit note's preceding invoice reference has a " \
                                                 "date (BillingReference, RFF+OI with DTM)"


def rows(message_type: str, syntax: str) -> dict[str, Row]:
    """Every row of a message type in a syntax (generic rows with the type's overrides)."""
    generic, by_type = (EDIFACT, EDIFACT_BY_TYPE) if syntax == "edifact" else (UBL, UBL_BY_TYPE)
    absent = {path: NotCarried(f"not part of a {message_type.replace('_', ' ')}: {why}")
              for path, why in NOT_IN_TYPE.get(message_type, {}).items()}
    return {**generic, **absent, **by_type.get(message_type, {})}
