"""Invoices an ERP posts in the second format (REST `POST /api/v2/erp/invoices`, SOAP `IssueInvoicesV2`):
each is an invoicing request (the body of `POST /api/v1/invoicing/invoices`) and is issued for real by
`service.issue`, for the connector's company, with `source=connector:NAME` and idempotent by the ERP's
id (`external_id`). The first format (`/api/v1/erp/invoices`, SOAP `SubmitInvoices`) is kept as it was:
it stores a canonical invoice and issues nothing.

A batch is one transaction: every invoice is issued, or none (each refusal named `invoices[2].lines[0]
.price`, stated figures that differ from the computed ones with both values).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from hub.domain.documents import Identifier, IdScheme
from hub.domain.errors import HubError, Problem, ValidationError
from hub.domain.identifiers import FAMILIES
from hub.erp.models import ErpConnector
from hub.invoicing import service
from hub.invoicing.models import IssuedInvoice
from hub.partners import service as partners

MAX_INVOICES = 500
MAX_ID = 100  # the column's width


def connector_company(connector: ErpConnector) -> str | None:
    """The company a connector issues for (`--option company=NAME`), or None: the request names it."""
    company = ((connector.settings or {}).get("options") or {}).get("company")
    return str(company) if company not in (None, "") else None


def issue_batch(session: Session, payload: Any, *, connector: ErpConnector, settings: Any,
                today: date) -> list[tuple[IssuedInvoice, bool]]:
    """Issue every invoice of `{"invoices": [...]}`; (invoice, created) each. The caller commits."""
    invoices = payload.get("invoices") if isinstance(payload, dict) else None
    if not isinstance(invoices, list) or not invoices or len(invoices) > MAX_INVOICES:
        raise ValidationError("send {\"invoices\": [...]}", problems=[_problem(
            "invoices", f"a list of 1 to {MAX_INVOICES} invoice requests")])
    return [_issue_one(session, request, f"invoices[{i}]", connector, settings, today)
            for i, request in enumerate(invoices)]


def _issue_one(session: Session, request: Any, where: str, connector: ErpConnector, settings: Any,
               today: date) -> tuple[IssuedInvoice, bool]:
    if not isinstance(request, dict):
        raise ValidationError(f"{where} is not an object", problems=[_problem(where, "an invoice request")])
    external_id = str(request.get("external_id") or "")
    if not external_id.strip() or len(external_id) > MAX_ID:
        raise ValidationError(f"{where}.external_id is required", problems=[_problem(
            f"{where}.external_id", f"the ERP's id of the invoice, up to {MAX_ID} characters, is required "
                                    "(a retry gets the first)")])
    company = connector_company(connector)
    if company is not None and request.get("company") not in (None, "", company):
        raise ValidationError(f"{where}.company is not the connector's", problems=[_problem(
            f"{where}.company", f"connector {connector.name} issues for company {company!r} only")])
    body = {**request, "company": company or request.get("company"),
            "buyer": _buyer(session, request.get("buyer"), f"{where}.buyer")}
    actor = f"connector:{connector.name}"
    try:
        return service.issue(session, body, actor=actor, settings=settings, today=today, source=actor)
    except HubError as exc:  # name the invoice of the batch each problem is in
        exc.problems = [_within(where, p) for p in exc.problems]
        exc.message = f"{where}: {exc.message}"
        raise


def _within(where: str, problem: Problem) -> Problem:
    """A request's problem as one of the batch's: `lines[0].price` becomes `invoices[2].lines[0].price`
    (a rule of the rendered file keeps its XPath)."""
    if problem.element is not None and problem.message.startswith(problem.element):
        return replace(problem, element=f"{where}.{problem.element}" if problem.element else where,
                       message=f"{where}.{problem.message}" if problem.element else
                       f"{where}{problem.message}")
    return replace(problem, message=f"{where}: {problem.message}")


def _buyer(session: Session, ref: Any, where: str) -> Any:
    """An ERP names the buyer as the API does (a partner's name or id) or by an identifier it knows,
    `gln:5790000435968`, `vat:DE123456789`, `cnpj:...`: that identifier's partner."""
    scheme, sep, value = str(ref or "").partition(":")
    if not sep or scheme.strip().lower() not in FAMILIES or not value.strip():
        return ref
    ident = Identifier(value.strip(), IdScheme(scheme.strip().lower()))
    partner = partners.find_by_identifier(session, ident)
    if partner is None:
        raise ValidationError(f"{where}: no partner has {ref}", problems=[_problem(
            where, f"no trading partner is known by the identifier {ref!r}")])
    return partner.id


def issued_json(invoice: IssuedInvoice, created: bool) -> dict[str, Any]:
    """One issued invoice as the ERP sees it in the answer."""
    return {"external_id": invoice.external_id, "id": invoice.id, "number": invoice.number,
            "state": invoice.state, "payable": str(invoice.payable), "currency": invoice.currency,
            "exchange_id": invoice.exchange_id, "duplicate": not created}


def _problem(element: str, message: str) -> Problem:
    return Problem(code="INVOICE_FIELD", message=f"{element}: {message}", element=element)
