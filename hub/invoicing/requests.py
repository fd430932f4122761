"""Reading an invoice request (JSON) into an InvoiceSpec, every defect named by its field (lines[2].price)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from hub.domain.documents import Address, Identifier, IdScheme, Party, PartyRole, PaymentTerms
from hub.domain.errors import Problem, ValidationError
from hub.invoicing.arithmetic import Adjustment, Exemption, LineInput
from hub.invoicing.domain import InvoiceSpec, LineSpec

PARTNER_SCHEMES = {"gln": IdScheme.gln, "vat": IdScheme.vat, "cnpj": IdScheme.cnpj}


class Reader:
    """Collects problems while reading fields, so one answer names them all."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(code="INVOICE_FIELD", message=f"{where}: {message}", element=where))

    def decimal(self, data: dict[str, Any], key: str, where: str, *, required: bool = True,
                default: Decimal | None = None) -> Decimal | None:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{where}.{key}" if where else key, "is required")
            return default
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or isinstance(value, bool):
            self.fail(f"{where}.{key}" if where else key, f"{value!r} is not a number")
            return default
        return number

    def day(self, data: dict[str, Any], key: str, default: date | None = None) -> date | None:
        value = data.get(key)
        if value in (None, ""):
            return default
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(key, f"{value!r} is not a date (YYYY-MM-DD)")
            return default

    def text(self, data: dict[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or str(value).strip() == "":
            if required:
                self.fail(f"{where}.{key}" if where else key, "is required")
            return None
        return str(value).strip()


def read_spec(data: Any, *, seller: Party, buyer: Party, today: date, payment_days: int,
              payment: list[PaymentTerms]) -> InvoiceSpec:
    """The spec of a request body; raises ValidationError naming every bad field."""
    r = Reader()
    if not isinstance(data, dict):
        raise ValidationError("the body must be a JSON object", problems=[
            Problem(code="INVOICE_FIELD", message="the body must be a JSON object", element="")])
    currency = (r.text(data, "currency", "", required=True) or "").upper()
    if currency and (len(currency) != 3 or not currency.isalpha()):
        r.fail("currency", "an ISO 4217 code (EUR, BRL, ...)")
    issued = r.day(data, "issued", today) or today
    due = r.day(data, "due_date", issued + timedelta(days=payment_days))
    raw_lines = data.get("lines")
    if not isinstance(raw_lines, list) or not raw_lines:
        r.fail("lines", "a non-empty list of lines is required")
        raw_lines = []
    lines = [_line(r, ln, f"lines[{i}]") for i, ln in enumerate(raw_lines)]
    adjustments = [_adjustment(r, a, f"allowances_charges[{j}]", with_tax=True)
                   for j, a in enumerate(_list(r, data, "allowances_charges", ""))]
    buyer_party = _buyer(r, data, buyer)
    if r.problems:
        raise ValidationError("the invoice request is not valid", problems=r.problems)
    exemptions = {str(k): Exemption(v.get("code"), v.get("text"))
                  for k, v in (data.get("exemptions") or {}).items() if isinstance(v, dict)}
    return InvoiceSpec(
        seller=seller, buyer=buyer_party, currency=currency, issued=issued, due_date=due,
        lines=[ln for ln in lines if ln is not None],
        adjustments=[a for a in adjustments if a is not None],
        prepaid=r.decimal(data, "prepaid", "", required=False), exemptions=exemptions,
        order_number=r.text(data, "order_number", ""), buyer_reference=r.text(data, "buyer_reference", ""),
        delivery_date=r.day(data, "delivery_date"), note=r.text(data, "note", ""),
        delivery=Party(PartyRole.delivery, address=buyer_party.address) if buyer_party.address else None,
        payment=[PaymentTerms(due_date=due, description=p.description, means_code=p.means_code,
                              account_id=p.account_id, payment_reference=p.payment_reference)
                 for p in payment])


def _list(r: Reader, data: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        r.fail(f"{where}.{key}" if where else key, "a list of objects")
        return []
    return value


def _line(r: Reader, data: Any, where: str) -> LineSpec | None:
    if not isinstance(data, dict):
        r.fail(where, "a line is an object")
        return None
    qty = r.decimal(data, "quantity", where)
    price = r.decimal(data, "price", where)
    base = r.decimal(data, "base_quantity", where, required=False, default=Decimal(1))
    category = (r.text(data, "tax_category", where, required=True) or "").upper()
    rate = r.decimal(data, "tax_rate", where, required=False)
    description = r.text(data, "description", where, required=True)
    adjustments = [_adjustment(r, a, f"{where}.allowances_charges[{k}]", with_tax=False)
                   for k, a in enumerate(_list(r, data, "allowances_charges", where))]
    if qty is None or price is None or base is None or description is None:
        return None
    return LineSpec(LineInput(qty, price, category, rate, base, [a for a in adjustments if a is not None]),
                    description, unit=r.text(data, "unit", where) or "C62",
                    seller_item_id=r.text(data, "item_id", where), gtin=r.text(data, "gtin", where),
                    order_line=r.text(data, "order_line", where))


def _adjustment(r: Reader, data: dict[str, Any], where: str, *, with_tax: bool) -> Adjustment | None:
    charge = data.get("charge", False)
    if not isinstance(charge, bool):
        r.fail(f"{where}.charge", "true for a charge, false for an allowance")
        return None
    return Adjustment(
        is_charge=charge, amount=r.decimal(data, "amount", where, required=False),
        percent=r.decimal(data, "percent", where, required=False),
        base=r.decimal(data, "base", where, required=False), reason=r.text(data, "reason", where),
        reason_code=r.text(data, "reason_code", where),
        category=(r.text(data, "tax_category", where, required=with_tax) or "").upper() or None,
        rate=r.decimal(data, "tax_rate", where, required=False) if with_tax else None)


def _buyer(r: Reader, data: dict[str, Any], buyer: Party) -> Party:
    address = data.get("buyer_address")
    if not isinstance(address, dict):
        r.fail("buyer_address", "the buyer's address is required, with its country")
        return buyer
    country = (r.text(address, "country", "buyer_address", required=True) or "").upper()
    street = r.text(address, "street", "buyer_address")
    return Party(buyer.role, ids=buyer.ids, name=buyer.name, tax_ids=buyer.tax_ids, endpoint=buyer.endpoint,
                 address=Address([street] if street else [], r.text(address, "city", "buyer_address"),
                                 r.text(address, "postal_code", "buyer_address"), country=country))


def buyer_party(name: str, identifiers: list[tuple[str, str]]) -> Party:
    """A partner as an invoice's buyer: its GLN as endpoint (else its VAT number), its VAT as tax id."""
    ids = [Identifier(v, PARTNER_SCHEMES[s]) for s, v in identifiers if s in PARTNER_SCHEMES]
    endpoint = next((i for i in ids if i.scheme == IdScheme.gln), None) or \
        next((i for i in ids if i.scheme == IdScheme.vat), None)
    return Party(PartyRole.buyer, ids=[i for i in ids if i.scheme == IdScheme.gln], name=name,
                 tax_ids=[i for i in ids if i.scheme in (IdScheme.vat, IdScheme.cnpj)], endpoint=endpoint)
