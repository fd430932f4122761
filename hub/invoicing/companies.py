"""The companies the hub invoices for: registered with checked identifiers and bank details, audited, and
shown on each invoice as its seller."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import bic, ean, iban
from stdnum.br import cnpj
from stdnum.eu import vat
from stdnum.exceptions import ValidationError as StdnumError

from hub.domain.documents import Address, Identifier, IdScheme, Party, PartyRole
from hub.domain.errors import NotFound, Problem, ValidationError
from hub.invoicing.payment_means import Payee
from hub.partners import service as partners
from hub.partners.models import Company

# Each identifier scheme with the check that normalises a value (or raises); `edi` is a UNB id as is.
CHECKS: dict[str, Callable[[str], str]] = {
    "gln": ean.validate, "cnpj": cnpj.validate, "vat": vat.validate, "duns": lambda v: v.strip(),
    "edi": lambda v: v.strip(),
}
SCHEMES = {"gln": IdScheme.gln, "cnpj": IdScheme.cnpj, "vat": IdScheme.vat, "duns": IdScheme.duns}


def add_company(session: Session, data: dict[str, Any], *, actor: str) -> Company:
    """Register a company from checked fields (name, country, ids as SCHEME:VALUE, iban, ...); audited."""
    return partners.add_company(session, check_company(data), actor=actor)


def check_company(data: dict[str, Any]) -> dict[str, Any]:
    """The company's fields, normalised; a ValidationError names every bad one."""
    problems: list[Problem] = []
    fields: dict[str, Any] = {}
    name, country = str(data.get("name") or "").strip(), str(data.get("country") or "").strip().upper()
    if not name:
        problems.append(_problem("name", "is required"))
    if len(country) != 2 or not country.isalpha():
        problems.append(_problem("country", "an ISO 3166-1 alpha-2 code (BE, BR, ...) is required"))
    fields.update(name=name, country=country, identifiers=_identifiers(data.get("ids") or [], problems))
    for key in ("street", "city", "postal_code", "pix_key"):
        fields[key] = str(data[key]).strip() if data.get(key) else None
    fields["iban"] = _checked(data.get("iban"), iban.validate, "iban", problems)
    fields["bic"] = _checked(data.get("bic"), bic.validate, "bic", problems)
    days = data.get("payment_days", 30)
    if not isinstance(days, int) or not 0 <= days <= 365:
        problems.append(_problem("payment_days", "a whole number of days from 0 to 365"))
    fields["payment_days"] = days
    fields["invoice_prefix"] = str(data.get("invoice_prefix") or "INV")[:20]
    if problems:
        raise ValidationError("the company is not valid", problems=problems)
    return fields


def _identifiers(ids: list[Any], problems: list[Problem]) -> list[dict[str, str]]:
    out = []
    for i, raw in enumerate(ids):
        scheme, _, value = str(raw).partition(":")
        scheme = scheme.strip().lower()
        if scheme not in CHECKS or not value.strip():
            problems.append(_problem(f"ids[{i}]", f"SCHEME:VALUE with a scheme of {', '.join(CHECKS)}"))
            continue
        checked = _checked(value, CHECKS[scheme], f"ids[{i}]", problems)
        if checked:
            out.append({"scheme": scheme, "value": checked})
    return out


def _checked(value: Any, check: Callable[[str], str], element: str, problems: list[Problem]) -> str | None:
    if not value:
        return None
    try:
        return check(str(value).strip())
    except StdnumError as exc:
        problems.append(_problem(element, f"{value!r} is not valid: {exc}"))
        return None


def _problem(element: str, message: str) -> Problem:
    return Problem(code="COMPANY_FIELD", message=f"{element}: {message}", element=element)


def find_company(session: Session, ref: str | int | None) -> Company:
    """A company by id or name; with none named, the only one (several: the caller must say which)."""
    if ref is None or ref == "":
        companies = list(session.scalars(select(Company).order_by(Company.id).limit(2)))
        if len(companies) != 1:
            raise ValidationError("name the issuing company (company)", problems=[
                _problem("company", "required when the hub has none or several companies")])
        return companies[0]
    query = select(Company).where(Company.id == int(ref)) if str(ref).isdigit() else \
        select(Company).where(Company.name == str(ref))
    company = session.scalar(query)
    if company is None:
        raise NotFound(f"no company {ref!r}")
    return company


def seller_party(company: Company) -> Party:
    """The company as an invoice's seller: GLN endpoint (else its VAT number), VAT and CNPJ as tax ids."""
    ids = [Identifier(i["value"], SCHEMES[i["scheme"]])
           for i in company.identifiers if i["scheme"] in SCHEMES]
    tax = [i for i in ids if i.scheme in (IdScheme.vat, IdScheme.cnpj)]
    endpoint = next((i for i in ids if i.scheme == IdScheme.gln), None) or \
        next((i for i in ids if i.scheme == IdScheme.vat), None)
    street = [company.street] if company.street else []
    # a CNPJ is also the legal registration (BT-30): a Brazilian seller has no VAT number (BR-CO-26)
    return Party(PartyRole.supplier, ids=[i for i in ids if i.scheme in (IdScheme.gln, IdScheme.duns)],
                 name=company.name, tax_ids=tax, endpoint=endpoint,
                 legal_id=next((i for i in ids if i.scheme == IdScheme.cnpj), None),
                 address=Address(street, company.city, company.postal_code, country=company.country))


def payee(company: Company) -> Payee:
    """The company as the payee of its invoices: its account, BIC and Pix key."""
    return Payee(company.name, company.country, company.city, company.iban, company.bic, company.pix_key)


def company_json(company: Company) -> dict[str, Any]:
    """The company as the API shows it."""
    return {"id": company.id, "name": company.name, "country": company.country, "street": company.street,
            "city": company.city, "postal_code": company.postal_code, "ids": company.identifiers,
            "iban": company.iban, "bic": company.bic, "pix_key": company.pix_key,
            "payment_days": company.payment_days, "invoice_prefix": company.invoice_prefix}
