"""The hand-written statement fixtures of every format (camt.053, camt.054, MT940, a CSV bank export, a
Pix export) and the REMADV, imported against the invoices they pay, matched, and compared with their
golden outcome (`golden/fixtures.json`): what is matched automatically, what is suggested, what waits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from stdnum import ean

from hub.config import Settings
from hub.db import new_session
from hub.invoicing import service as invoicing
from hub.reconciliation import service
from hub.reconciliation.imports import Source, import_statement
from hub.reconciliation.settings import MatchingSettings
from hub.reconciliation.statements.csv_profiles import load_profiles
from tests.support import reconciliation
from tests.support.exchanges import post, process

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = Path(__file__).with_name("golden") / "fixtures.json"
FILES = ["ponte_camt052_eur.xml", "ponte_camt053_eur.xml", "ponte_camt054_usd.xml", "ponte_mt942_eur.sta",
         "ponte_mt940_eur.sta", "ponte_bank_export.csv",
         "ponte_pix_export.csv"]

# name: (identifiers, payee accounts)
BUYERS: dict[str, tuple[list[tuple[str, str]], list[str]]] = {
    "brasserie": ([], ["FR1420041010050500013M02606"]),
    "holzbau": ([], ["DE02120300000000202051"]),
    "logistica": ([], ["ES9121000418450200051332"]),
    "brouwerij": ([], ["NL20INGB0001234567"]),
    "acme-handel": ([], ["DE44500105175407324931"]),
    "kessler": ([], ["DE75512108001245126199"]),
    "vandijk": ([], ["NL69INGB0123456789"]),
    "globex": ([], []), "initech": ([], []),
    "thames": ([], ["GB33BUKB20201555555555"]), "highland": ([], ["GB94BARC10201530093459"]),
    "cardiff": ([], ["GB71BARC20031847182245"]),
    "mercado": ([("cnpj", "11222333000181")], []), "padaria": ([("cnpj", "04252011000110")], []),
    "joao": ([("cpf", "52998224725")], []), "distribuidora": ([], []),
}
# number, buyer, amount, currency, references the issuing side set (RF, Pix txid, boleto)
INVOICES: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("INV-2026-000101", "demo-retail", "500.00", "EUR", {}),
    ("INV-2026-000102", "demo-retail", "815.00", "EUR", {}),
    ("INV-2026-000103", "demo-retail", "502.00", "EUR", {}),
    ("INV-2026-000104", "brasserie", "400.00", "EUR", {"payment_reference": "RF29INV2026000104"}),
    ("INV-2026-000105", "holzbau", "1250.00", "EUR", {}),
    ("INV-2026-000106", "logistica", "610.00", "EUR", {}),
    ("INV-2026-000107", "logistica", "320.00", "EUR", {}),
    ("INV-2026-000108", "brouwerij", "75.00", "EUR", {}),
    ("INV-2026-000201", "acme-handel", "1500.00", "EUR", {}),
    ("INV-2026-000202", "acme-handel", "950.00", "EUR", {}),
    ("INV-2026-000203", "vandijk", "869.50", "EUR", {"payment_reference": "RF72INV2026000203"}),
    ("INV-2026-000204", "kessler", "600.00", "EUR", {}),
    ("INV-2026-000110", "globex", "5000.00", "USD", {}),
    ("INV-2026-000111", "initech", "1200.00", "USD", {}),
    ("INV-2026-000301", "thames", "1000.00", "GBP", {}),
    ("INV-2026-000302", "thames", "840.00", "GBP", {}),
    ("INV-2026-000303", "thames", "500.00", "GBP", {}),
    ("INV-2026-000109", "highland", "151.50", "GBP", {"payment_reference": "RF10PONTE000109"}),
    ("INV-2026-000305", "cardiff", "1960.00", "GBP", {}),
    ("NF-401", "mercado", "4000.00", "BRL", {"pix_txid": "NFE2026000401PONTE0001"}),
    ("NF-402", "mercado", "5000.00", "BRL", {}),
    ("NF-403", "mercado", "3450.00", "BRL", {}),
    ("NF-404", "padaria", "6000.00", "BRL", {"pix_txid": "NFE2026000404PONTE0001"}),
    ("NF-405", "joao", "5000.00", "BRL", {"pix_txid": "NFE2026000405PONTE0001"}),
    ("NF-406", "distribuidora", "870.40", "BRL",
     {"boleto_number": "34191790010104351004791020150008291070026000"}),
]


def _world(app: Flask, client: Any, make_partner: Any) -> Any:
    """The buyers, their invoices, the REMADV and every statement fixture imported; the handle of
    demo-retail (who sent the REMADV)."""
    demo = make_partner("demo-retail", edi_id="5412345000013")
    with app.app_context(), new_session() as session:
        reconciliation.demo_company_and_retailer(session)
        for n, (name, (ids, accounts)) in enumerate(BUYERS.items()):
            stem = f"40000001{n:04d}"
            reconciliation.buyer(session, name, stem + ean.calc_check_digit(stem), ids=ids, accounts=accounts)
        session.commit()
    with app.app_context(), new_session() as session:
        for number, buyer, amount, currency, refs in INVOICES:
            body = {"buyer": buyer, "currency": currency, "issued": "2026-11-02", "due_date": "2026-12-01",
                    "number": number, "buyer_address": {"street": "Rua 1", "city": "Lisboa",
                                                        "postal_code": "1000", "country": "PT"},
                    "lines": [{"description": "Goods", "quantity": "1", "price": amount, "tax_category": "Z",
                               "tax_rate": "0"}]}
            issued, _ = invoicing.issue(session, body, actor="test", settings=Settings(),
                                        today=date(2026, 11, 2))
            for field, value in refs.items():
                setattr(issued, field, value)
        session.commit()
    post(client, demo, (ROOT / "fixtures" / "edifact" / "demo_remadv_d96a_reconciliation.edi").read_bytes())
    process(app)
    with app.app_context(), new_session() as session:
        for name in FILES:
            import_statement(session, (ROOT / "fixtures" / "bank" / name).read_bytes(),
                             source=Source(actor="test", filename=name), profiles=load_profiles())
        session.commit()
    return demo


def test_the_statement_fixtures_match_as_their_golden_file_says(app: Flask, client: Any,
                                                                make_partner: Any) -> None:
    """Among them: the REMADV's three invoices with a 2.00 deduction written off; an RF reference with
    the bank's fee written off; a near-miss reference matched by payer and exact amount; a boleto
    whose payer's CNPJ is another partner's, only suggested; a fee over the tolerance, only suggested;
    a Pix overpayment kept as credit; partial payments; reversals and their credits set aside."""
    _world(app, client, make_partner)
    service.reconcile(lambda: new_session(app), MatchingSettings(), at=datetime(2026, 12, 2, 9, tzinfo=UTC),
                      scheduled=False, actor="test")
    with app.app_context(), new_session() as session:
        got = reconciliation.outcome(session)
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))
