"""Benchmark: invoices of 20 lines issued end to end (figures, number, UBL rendering, full validation with
the Peppol rules, queued), per second, and the share of that time spent validating.

Run: .venv/bin/python bench/invoice_issue.py [--count 50] [--lines 20] [--database-url URL]
Creates a throw-away database (SQLite in a temporary folder unless --database-url), a company and a
Peppol buyer, then issues `count` invoices one transaction each, as the API does. Rules are compiled by
one warm-up invoice before timing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_AUDIT_KEY
from hub import create_app
from hub.config import Settings
from hub.db import new_session
from hub.exchanges import outbound
from hub.invoicing import companies, service
from hub.migrate import upgrade
from hub.partners import service as partners

SPENT = {"validation": 0.0}



def timed_validation(original: Any) -> Any:
    """validate_outbound, adding its time to SPENT."""
    def wrapped(raw: bytes, syntax: str) -> Any:
        start = time.perf_counter()
        try:
            return original(raw, syntax)
        finally:
            SPENT["validation"] += time.perf_counter() - start
    return wrapped


def body(lines: int) -> dict[str, Any]:
    """An invoice request with `lines` lines over two rates, each with a discount."""
    return {"buyer": "bench-buyer", "currency": "EUR", "order_number": "PO-1",
            "buyer_address": {"city": "Berlin", "postal_code": "10115", "country": "DE"},
            "lines": [{"description": f"Item {n}", "quantity": str(n), "price": f"{n}.37",
                       "tax_category": "S", "tax_rate": "21" if n % 2 else "6",
                       "allowances_charges": [{"charge": False, "percent": "5", "reason": "Discount"}]}
                      for n in range(1, lines + 1)]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=50)
    ap.add_argument("--lines", type=int, default=20)
    ap.add_argument("--database-url")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-invoice-")
    url = args.database_url or f"sqlite:///{folder}/hub.db"
    settings = Settings(database_url=url, testing=True, audit_key=BENCH_AUDIT_KEY)
    app = create_app(settings, start_scheduler=False)
    settings = app.config["HUB_SETTINGS"]
    upgrade(app.extensions["hub.engine"])
    with app.app_context(), new_session(app) as session:
        seller = {"name": "Bench Seller", "country": "BE", "iban": "BE71096123456769",
                  "ids": ["gln:5790000435975", "vat:BE0123456749"]}
        companies.add_company(session, seller, actor="bench")
        partners.add_partner(session, "bench-buyer", edi_id="5790000435968", qualifier="14",
                             roles=["buyer"],
                             actor="bench", syntax="ubl",
                             extra_ids=[("gln", "5790000435968"), ("vat", "DE123456788")])
        session.commit()
    outbound.validate_outbound = timed_validation(outbound.validate_outbound)  # type: ignore[assignment]

    def issue_one() -> None:
        with new_session(app) as session:
            service.issue(session, body(args.lines), actor="bench", settings=settings, today=date.today())
            session.commit()

    issue_one()
    SPENT["validation"] = 0.0
    start = time.perf_counter()
    for _ in range(args.count):
        issue_one()
    elapsed = time.perf_counter() - start
    print(f"{args.count} invoices of {args.lines} lines on {url.split(':')[0]}: "
          f"{args.count / elapsed:.1f}/s, {elapsed / args.count * 1000:.0f} ms each, "
          f"validation {SPENT['validation'] / elapsed:.0%} of the time")


if __name__ == "__main__":
    main()
