"""Builders for the matching tests: statement entries and remittance records written directly (the import
side parses files into the same rows), invoices issued through the invoicing service, and a realistic
scenario with its payments, each named by its entry key for the golden file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hub.config import Settings
from hub.invoicing import companies
from hub.invoicing import service as invoicing
from hub.invoicing.models import IssuedInvoice
from hub.models import Partner
from hub.partners import service as partners
from hub.reconciliation.models import BankStatement, RemittanceRecord, StatementEntry

ACCOUNT = "BE71096123456769"  # the company's account the statements are of


def statement(session: Session, ref: str = "STMT-1", *, day: date = date(2026, 6, 1),
              account: str = ACCOUNT, source: str = "camt.053") -> BankStatement:
    """A bank statement to hang entries on."""
    row = BankStatement(source_format=source, account=account, statement_ref=ref, statement_date=day,
                        currency=None, fingerprint=hashlib.sha256(ref.encode()).hexdigest(), entry_count=0)
    session.add(row)
    session.flush()
    return row


def entry(session: Session, stmt: BankStatement, key: str, amount: str, currency: str = "EUR", *,
          day: date = date(2026, 6, 1), **fields: Any) -> StatementEntry:
    """One payment on a statement (text, references, payer identity as keyword fields)."""
    row = StatementEntry(statement_id=stmt.id, account=stmt.account, entry_key=key, booking_date=day,
                         amount=Decimal(amount), currency=currency, open_amount=Decimal(amount),
                         fees=Decimal(fields.pop("fees", "0")), reversal=fields.pop("reversal", False),
                         status="unmatched", details={}, **fields)
    session.add(row)
    session.flush()
    return row


def remittance(session: Session, partner_id: int, number: str, lines: list[tuple[str, str]], *,
               currency: str = "EUR", entry_id: int | None = None) -> RemittanceRecord:
    """A partner's remittance advice naming invoices and amounts."""
    total = sum((Decimal(a) for _, a in lines), Decimal(0))
    row = RemittanceRecord(partner_id=partner_id, number=number, currency=currency, total=total,
                           lines=[{"invoice": n, "amount": a} for n, a in lines], entry_id=entry_id,
                           payment_date=date(2026, 6, 1))
    session.add(row)
    session.flush()
    return row


def company(session: Session) -> None:
    """The company that issues the invoices."""
    companies.add_company(session, {"name": "Ponte Seller SA", "country": "BE", "iban": ACCOUNT,
                                    "ids": ["gln:5790000435975"], "street": "Rue Neuve 1",
                                    "city": "Brussels", "postal_code": "1000"}, actor="test")


DEMO_PAYER_IBAN = "BE71096123456769"  # demo-retail's account, from which it pays


def demo_company_and_retailer(session: Session) -> None:
    """The company Ponte Demo GmbH (the payee of the REMADV fixtures, GLN 5498765000017) and demo-retail
    (already added as a partner: the payer, GLN 5412345000013) paying from its known account."""
    companies.add_company(session, {"name": "Ponte Demo GmbH", "country": "DE", "ids": ["gln:5498765000017"],
                                    "iban": ACCOUNT}, actor="test")
    partners.update_profile(session, partners.find_partner(session, "demo-retail"),
                            {"bank_accounts": [DEMO_PAYER_IBAN]}, actor="test")


def buyer(session: Session, name: str, edi_id: str, *, ids: list[tuple[str, str]] | None = None,
          accounts: list[str] | None = None) -> Partner:
    """An EDIFACT buyer (its invoices validate fast), with tax ids and known bank accounts."""
    partner = partners.add_partner(session, name, edi_id=edi_id, qualifier="14", roles=["buyer"],
                                   actor="test", extra_ids=ids or [])
    if accounts:
        partner.profile = {**(partner.profile or {}), "bank_accounts": accounts}
    session.flush()
    return partner


def invoice(session: Session, buyer_name: str, amount: str, currency: str = "EUR", *,
            due: str = "2026-06-30", **references: str) -> IssuedInvoice:
    """An invoice of exactly `amount` (one zero-rated line), issued through the invoicing service;
    `payment_reference`, `pix_txid`, `boleto_number` as the issuing side sets them."""
    body = {"buyer": buyer_name, "currency": currency, "issued": "2026-05-04", "due_date": due,
            "buyer_address": {"street": "Hauptstrasse 2", "city": "Berlin", "postal_code": "10115",
                              "country": "DE"},
            "lines": [{"description": "Goods", "quantity": "1", "price": amount, "tax_category": "Z",
                       "tax_rate": "0"}]}
    issued, _ = invoicing.issue(session, body, actor="test", settings=Settings(), today=date(2026, 5, 4))
    for name, value in references.items():
        setattr(issued, name, value)
    session.flush()
    return issued


@dataclass
class Scenario:
    """The invoices by a short name, and the partners."""

    invoices: dict[str, IssuedInvoice] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)


ACME_IBAN = "DE89370400440532013000"
BRASIL_CNPJ = "11222333000181"
INITECH_VAT = "FR40303265045"
RF_I5 = "RF18539007547034"


def realistic(session: Session) -> Scenario:
    """Several currencies, fees, a reversed entry, a payment for three invoices (with its remittance
    advice), partial payments, an overpayment, a near-miss reference, two open invoices of the same
    amount for one partner, a digit-fragment text and a payment in another currency."""
    s = Scenario()
    company(session)
    s.partners["acme"] = buyer(session, "acme", "4000000000013", accounts=[ACME_IBAN])
    s.partners["brasil"] = buyer(session, "brasil", "4000000000020", ids=[("cnpj", BRASIL_CNPJ)])
    s.partners["globex"] = buyer(session, "globex", "4000000000037")
    s.partners["initech"] = buyer(session, "initech", "4000000000044", ids=[("vat", INITECH_VAT)])
    for name, buyer_name, amount, currency, refs in (
            ("i1", "acme", "100.00", "EUR", {}), ("i2", "acme", "250.00", "EUR", {}),
            ("i3", "acme", "300.00", "EUR", {}), ("i4", "acme", "450.00", "EUR", {}),
            ("i5", "globex", "500.00", "EUR", {"payment_reference": RF_I5}),
            ("i6", "brasil", "1200.00", "BRL", {"pix_txid": "PIXTX0001ABC"}),
            ("i7", "brasil", "800.00", "BRL", {}), ("i8", "acme", "700.00", "USD", {}),
            ("i9", "globex", "620.00", "EUR", {}), ("i10", "initech", "150.00", "EUR", {}),
            ("i11", "initech", "150.00", "EUR", {})):
        s.invoices[name] = invoice(session, buyer_name, amount, currency, **refs)
    n = {k: v.number for k, v in s.invoices.items()}
    st = statement(session)
    entry(session, st, "E01-exact", "100.00", remittance_info=f"Payment {n['i1']} thanks",
          counterparty_iban=ACME_IBAN, counterparty_name="ACME GmbH")
    three = entry(session, st, "E02-three-invoices", "1000.00", remittance_info="REMADV RA-77",
                  counterparty_iban=ACME_IBAN)
    remittance(session, s.partners["acme"].id, "RA-77", [(n["i2"], "250.00"), (n["i3"], "300.00"),
                                                         (n["i4"], "450.00")], entry_id=three.id)
    entry(session, st, "E03-fees-rf", "498.50", structured_reference=RF_I5, fees="1.50",
          counterparty_name="Globex Corp")
    entry(session, st, "E04-pix", "1200.00", "BRL", pix_txid="PIXTX0001ABC", counterparty_id=BRASIL_CNPJ)
    entry(session, st, "E05-partial", "300.00", "BRL", remittance_info=f"parcela 1 {n['i7']}",
          counterparty_id="11.222.333/0001-81")
    entry(session, st, "E06-rest", "500.00", "BRL", day=date(2026, 6, 2), remittance_info=f"{n['i7']} saldo",
          counterparty_id=BRASIL_CNPJ)
    entry(session, st, "E07-overpaid", "750.00", "USD", remittance_info=f"{n['i8']}",
          counterparty_iban=ACME_IBAN)
    near = n["i9"].replace("-0", "-O", 1)  # one character off (a letter O for a zero): no such invoice
    entry(session, st, "E08-near-miss", "620.00", remittance_info=f"inv {near}",
          counterparty_name="Unknown Payer Ltd")
    entry(session, st, "E09-same-amount", "150.00", counterparty_id=INITECH_VAT)
    entry(session, st, "E10-reversal", "-100.00", reversal=True, remittance_info=f"RETURN {n['i1']}")
    entry(session, st, "E11-fragment", "12.34", remittance_info=f"a34bc3xxx1 {n['i1']}X")
    entry(session, st, "E12-wrong-currency", "620.00", "USD", remittance_info=f"{n['i9']}")
    return s


def outcome(session: Session) -> list[dict[str, Any]]:
    """What matching made of every payment, in the golden files' format, by entry key:
    `{"entry", "invoices": [[number, amount], ...], "status"}`; a matched payment lists its
    allocations (plus `write_off` and `credit` when there are), a suggested one its suggestions'
    invoices, best first, an unmatched one none."""
    from sqlalchemy import select

    from hub.reconciliation.match_models import PaymentMatch

    entries = session.scalars(select(StatementEntry).order_by(StatementEntry.entry_key)).all()
    matches: dict[int, list[PaymentMatch]] = {}
    for m in session.scalars(select(PaymentMatch).where(PaymentMatch.state.in_(["matched", "suggested"]))
                             .order_by(PaymentMatch.rank, PaymentMatch.id)):
        matches.setdefault(m.entry_id, []).append(m)
    out = []
    for e in entries:
        found = matches.get(e.id, [])
        row: dict[str, Any] = {"entry": e.entry_key, "invoices": [
            [a["number"], a["amount"]] for m in found for a in m.allocations], "status": e.status}
        written = sum((Decimal(a["write_off"]) for m in found for a in m.allocations), Decimal(0))
        credit = sum((m.credit for m in found if m.state == "matched"), Decimal(0))
        if written:
            row["write_off"] = f"{written:.2f}"
        if credit:
            row["credit"] = f"{credit:.2f}"
        out.append(row)
    return out
