"""Canonical business documents: what every syntax (EDIFACT, UBL) is translated to and from.

Pure Python: no framework imports. Money is Decimal with a currency on the document (and on an
amount where it may differ), dates and times carry a time zone (a date-only value is a `date`),
units of measure are UN/ECE Recommendation 20 codes (C62 piece, KGM kilogram, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar


class IdScheme(StrEnum):
    """Identifier schemes for parties and items (EDIFACT 3055/7143 and Peppol ICD mapped to these)."""

    gln = "gln"  # GS1 Global Location Number, EDIFACT agency 9, ICD 0088
    gtin = "gtin"  # GS1 trade item number (EAN), EDIFACT EN/SRV
    cnpj = "cnpj"  # Brazilian company registry number
    cpf = "cpf"
    vat = "vat"  # VAT / tax registration number, with country prefix where known
    duns = "duns"
    buyer_assigned = "buyer_assigned"  # EDIFACT agency 92 / item type IN
    supplier_assigned = "supplier_assigned"  # EDIFACT agency 91 / item type SA
    mutually_defined = "mutually_defined"  # EDIFACT ZZZ / ZZ
    other = "other"


class PartyRole(StrEnum):
    """Roles a party plays on a document (EDIFACT NAD 3035 qualifiers mapped to these)."""

    buyer = "buyer"  # BY
    supplier = "supplier"  # SU / SE
    delivery = "delivery"  # DP / ST
    invoicee = "invoicee"  # IV
    payee = "payee"  # PE
    payer = "payer"  # PR
    ship_from = "ship_from"  # SF
    inventory_reporter = "inventory_reporter"  # GY (UBL InventoryReportingParty)
    carrier = "carrier"  # CA
    tax_representative = "tax_representative"
    other = "other"


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier with the scheme it belongs to (the raw code keeps what the partner sent)."""

    value: str
    scheme: IdScheme = IdScheme.other
    raw_scheme: str | None = None  # e.g. EDIFACT agency "9", Peppol ICD "0088", qualifier "14"


@dataclass(slots=True)
class Address:
    street: list[str] = field(default_factory=list)
    city: str | None = None
    postcode: str | None = None
    region: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(slots=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(slots=True)
class Party:
    role: PartyRole
    ids: list[Identifier] = field(default_factory=list)
    name: str | None = None
    address: Address | None = None
    tax_ids: list[Identifier] = field(default_factory=list)  # VAT / CNPJ as tax registration
    contact: Contact | None = None
    endpoint: Identifier | None = None  # Peppol electronic address (BT-34/BT-49)
    raw_role: str | None = None  # e.g. NAD qualifier "BY"
    legal_name: str | None = None  # registered name when it differs from `name` (UBL PartyLegalEntity, BT-27)
    legal_id: Identifier | None = None  # legal registration id (UBL PartyLegalEntity/CompanyID, BT-30)
    legal_only: bool = False  # the partner gave only the registered name (UBL: no PartyName): keep it there

    def id_of(self, scheme: IdScheme) -> str | None:
        """The first identifier of the given scheme, if any."""
        return next((i.value for i in self.ids if i.scheme == scheme), None)


@dataclass(slots=True)
class Reference:
    """A reference to another document or agreement (EDIFACT RFF, UBL *DocumentReference)."""

    kind: str  # order, invoice, despatch_advice, contract, delivery_note, previous_invoice, ... or raw
    number: str
    issued: date | datetime | None = None
    line: str | None = None
    raw_kind: str | None = None  # e.g. RFF qualifier "ON"


@dataclass(slots=True)
class Item:
    """What is traded: by GTIN, the buyer's and the supplier's numbers, and a description."""

    gtin: str | None = None
    buyer_number: str | None = None
    supplier_number: str | None = None
    our_number: str | None = None  # the hub's own item id after cross-reference
    description: str | None = None
    name: str | None = None  # short item name when a syntax has both (UBL Item/Name BT-153 vs Description)
    other_ids: list[Identifier] = field(default_factory=list)


@dataclass(slots=True)
class Quantity:
    value: Decimal
    unit: str = "C62"  # UN/ECE Rec. 20
    kind: str = "ordered"  # ordered, despatched, invoiced, confirmed, backordered, free, ...


@dataclass(slots=True)
class Price:
    amount: Decimal
    base_quantity: Decimal = Decimal(1)
    unit: str | None = None
    kind: str = "net"  # net (AAA) or gross (AAB)
    min_quantity: Decimal | None = None  # a price break: this price from this quantity up (RNG)


@dataclass(slots=True)
class AllowanceCharge:
    is_charge: bool
    amount: Decimal
    reason: str | None = None
    reason_code: str | None = None
    base_amount: Decimal | None = None
    percent: Decimal | None = None
    tax_category: str | None = None
    tax_rate: Decimal | None = None


@dataclass(slots=True)
class TaxSubtotal:
    category: str  # UNCL 5305: S, Z, E, AE, K, G, O, L, M
    rate: Decimal | None
    taxable_amount: Decimal
    tax_amount: Decimal
    scheme: str = "VAT"  # VAT, GST, ICMS, IPI, PIS, COFINS, ...
    exemption_reason: str | None = None
    exemption_reason_code: str | None = None  # VATEX code (UBL TaxExemptionReasonCode, BT-121)


@dataclass(slots=True)
class PaymentTerms:
    description: str | None = None
    due_date: date | None = None
    discount_percent: Decimal | None = None
    discount_days: int | None = None
    means_code: str | None = None  # UNCL 4461: 30 transfer (Pix: 30 named "Pix"), 58 SEPA, 59 ...
    account_id: str | None = None  # IBAN / Pix key
    payment_reference: str | None = None
    means_text: str | None = None  # how the means is called (BT-82): "Pix", "Boleto"
    bank_id: str | None = None  # the payee's BIC (BT-86)
    payee_name: str | None = None  # the payee account's name (BT-85)
    instruction: str | None = None  # what the payer copies to pay, e.g. a Pix BR Code payload
    mandate_reference: str | None = None  # a direct debit's mandate (BT-89)
    creditor_id: str | None = None  # a direct debit's creditor identifier (BT-90)


@dataclass(slots=True)
class Line:
    """A document line; which fields matter depends on the document type."""

    number: str
    item: Item = field(default_factory=Item)
    quantities: list[Quantity] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    line_amount: Decimal | None = None  # net line amount (MOA 203 / LineExtensionAmount)
    tax_category: str | None = None
    tax_rate: Decimal | None = None
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)
    delivery_date: date | datetime | None = None
    references: list[Reference] = field(default_factory=list)
    status: str | None = None  # order response line action: accepted, changed, rejected
    notes: list[str] = field(default_factory=list)
    delivery_end: date | datetime | None = None  # end of the requested/promised delivery period
    valid_from: date | None = None  # a catalogue line's validity (DTM 194/206, LineValidityPeriod)
    valid_to: date | None = None
    location: str | None = None  # an inventory report line's stock location (LOC, InventoryLocation)
    as_of: date | datetime | None = None  # when an inventory report line's quantity was counted
    accounting_cost: str | None = None  # the buyer's accounting reference for the line (BT-133, RFF+AOU)

    def quantity(self, kind: str | None = None) -> Quantity | None:
        """The quantity of the given kind, or the first one when kind is None."""
        for q in self.quantities:  # a loop, not next(genexpr): called for every line persisted
            if kind is None or q.kind == kind:
                return q
        return None


@dataclass(slots=True)
class Totals:
    line_total: Decimal | None = None  # sum of line amounts (BT-106)
    allowance_total: Decimal | None = None
    charge_total: Decimal | None = None
    tax_exclusive: Decimal | None = None  # BT-109
    tax_total: Decimal | None = None  # BT-110
    tax_total_tax_currency: Decimal | None = None  # BT-111, in Invoice.tax_currency
    tax_inclusive: Decimal | None = None  # BT-112
    prepaid: Decimal | None = None
    rounding: Decimal | None = None
    payable: Decimal | None = None  # BT-115


@dataclass(slots=True)
class Document:
    """Fields every canonical document has."""

    doc_type: ClassVar[str] = "document"

    number: str
    issued: date | datetime | None = None
    currency: str | None = None
    parties: list[Party] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    function: str = "original"  # original, replace, cancel, duplicate, ... (BGM 1225)
    type_code: str | None = None  # BGM 1001 / UBL type code as sent
    profile: dict[str, str] = field(default_factory=dict)  # e.g. Peppol customization_id, profile_id

    def party(self, role: PartyRole) -> Party | None:
        """The first party with the given role, if any."""
        return next((p for p in self.parties if p.role == role), None)

    def reference(self, kind: str) -> Reference | None:
        """The first reference of the given kind, if any."""
        return next((r for r in self.references if r.kind == kind), None)


@dataclass(slots=True)
class PurchaseOrder(Document):
    doc_type: ClassVar[str] = "purchase_order"
    delivery_date: date | datetime | None = None
    totals: Totals | None = None
    delivery_end: date | datetime | None = None  # end of the requested delivery period
    validity_end: date | None = None  # the order is valid until (UBL ValidityPeriod, EDIFACT DTM 36)
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)  # document level
    accounting_cost: str | None = None  # the buyer's accounting reference (UBL AccountingCost, RFF+AOU)


@dataclass(slots=True)
class OrderChange(PurchaseOrder):
    """A change to an order already sent (Peppol T114, EDIFACT ORDCHG): the order as it now stands."""

    doc_type: ClassVar[str] = "order_change"
    order_number: str | None = None
    sequence: str | None = None  # UBL SequenceNumberID: the n-th change of that order


@dataclass(slots=True)
class OrderCancellation(Document):
    """The buyer withdraws a whole order (Peppol T115, EDIFACT ORDCHG with message function 1)."""

    doc_type: ClassVar[str] = "order_cancellation"
    order_number: str | None = None
    reason: str | None = None  # UBL CancellationNote


@dataclass(slots=True)
class OrderResponse(Document):
    doc_type: ClassVar[str] = "order_response"
    response: str = "accepted"  # accepted, accepted_with_changes, rejected (BGM 4343 / UBL code)
    order_number: str | None = None
    delivery_date: date | datetime | None = None
    delivery_end: date | datetime | None = None  # end of the promised delivery period


@dataclass(slots=True)
class DespatchAdvice(Document):
    doc_type: ClassVar[str] = "despatch_advice"
    despatch_date: date | datetime | None = None
    delivery_date: date | datetime | None = None
    order_number: str | None = None


@dataclass(slots=True)
class Catalogue(Document):
    """A supplier's price list (EDIFACT PRICAT, UBL Catalogue / Peppol T19): one line per item offered,
    with its prices (price breaks by `Price.min_quantity`), its `minimum_order` and `order_multiple`
    quantities and validity; a line's `status` is its action (added, changed, deleted)."""

    doc_type: ClassVar[str] = "catalogue"
    action: str = "replace"  # the whole catalogue: add, replace, update, delete (UBL ActionCode, BGM 1225)
    name: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass(slots=True)
class InventoryReport(Document):
    """Stock a partner holds for us (EDIFACT INVRPT, UBL InventoryReport): one line per item and
    location, its `on_hand` quantity counted at the line's `as_of` (else the report's `as_of`)."""

    doc_type: ClassVar[str] = "inventory_report"
    as_of: date | datetime | None = None  # the inventory's date and time (DTM 366, InventoryPeriod)


@dataclass(slots=True)
class Invoice(Document):
    doc_type: ClassVar[str] = "invoice"
    is_credit_note: bool = False
    due_date: date | None = None
    tax_point_date: date | None = None
    allowances_charges: list[AllowanceCharge] = field(default_factory=list)
    tax_subtotals: list[TaxSubtotal] = field(default_factory=list)
    payment_terms: list[PaymentTerms] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    tax_currency: str | None = None
    buyer_reference: str | None = None  # BT-10
    delivery_date: date | None = None  # actual delivery date (BT-72)
    period_start: date | None = None  # invoicing period (BT-73, EDIFACT DTM 167)
    period_end: date | None = None  # (BT-74, EDIFACT DTM 168)
    accounting_cost: str | None = None  # the buyer's accounting reference (BT-19, RFF+AOU under NAD+BY)


@dataclass(slots=True)
class RemittanceLine:
    invoice_number: str
    paid: Decimal
    invoice_amount: Decimal | None = None
    adjustment: Decimal | None = None
    adjustment_reason: str | None = None
    invoice_date: date | None = None


@dataclass(slots=True)
class RemittanceAdvice(Document):
    doc_type: ClassVar[str] = "remittance_advice"
    payment_date: date | None = None
    total_paid: Decimal | None = None
    remittances: list[RemittanceLine] = field(default_factory=list)


DOCUMENT_TYPES: dict[str, type[Document]] = {
    cls.doc_type: cls
    for cls in (PurchaseOrder, OrderChange, OrderCancellation, OrderResponse, DespatchAdvice, Invoice,
                RemittanceAdvice, Catalogue, InventoryReport)
}
