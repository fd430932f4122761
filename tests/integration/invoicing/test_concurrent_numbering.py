"""Invoices issued from 8 threads at once, some refused by the outbound validation, are numbered 1..n in
their series: no gap, no duplicate."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from flask import Flask

from hub.db import new_session
from hub.domain.errors import HubError
from hub.invoicing import service
from hub.invoicing.models import IssuedInvoice
from tests.conftest import ON_POSTGRES
from tests.integration.invoicing.conftest import invoice_body


def test_concurrent_issuers_get_every_number_once_and_refusals_leave_no_gap(app: Flask, invoicing: Any):
    threads, per_thread = 8, 4 if ON_POSTGRES else 2
    refused: list[str] = []
    errors: list[BaseException] = []

    def work(index: int) -> None:
        for n in range(per_thread):
            failing = (index + n) % 3 == 0  # the buyer without an endpoint: refused by the Peppol rules
            with new_session(app) as session:
                try:
                    service.issue(session, invoice_body("nobody-buyer" if failing else "peppol-buyer"),
                                  actor="test", settings=app.config["HUB_SETTINGS"], today=date(2026, 5, 4))
                    session.commit()
                except HubError as exc:
                    session.rollback()
                    refused.append(exc.code)
                except BaseException as exc:  # pragma: no cover - reported below
                    errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    expected_refusals = sum(1 for i in range(threads) for n in range(per_thread) if (i + n) % 3 == 0)
    assert refused == ["INVOICE_NOT_ISSUABLE"] * expected_refusals
    with new_session(app) as session:
        numbers = sorted(session.scalars(IssuedInvoice.__table__.select().with_only_columns(
            IssuedInvoice.number)))
    values = [int(n.removeprefix("INV-2026-")) for n in numbers]
    assert values == list(range(1, threads * per_thread - expected_refusals + 1))
