"""Benchmark: a big bank statement imported (camt.053 of 10,000 entries, a tenth of them batches of
three transactions; and the same as a CSV export): parse time, import time, and the repeat.

Run: .venv/bin/python bench/statement_import.py [--entries 10000]   (DATABASE_URL=postgresql://... for
PostgreSQL; its public schema is emptied first). Prints per format: parsing alone, importing (one
transaction, as the API does; parsing included), and importing the same file again (nothing new), each
in wall-clock seconds and in this process's CPU seconds (what a busy machine does not inflate).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import BENCH_AUDIT_KEY, fresh_database_url
from hub import create_app
from hub.config import Settings
from hub.db import new_session
from hub.migrate import upgrade
from hub.reconciliation.imports import Source, import_in_transaction
from hub.reconciliation.statements import read
from hub.reconciliation.statements.csv_profiles import load_profiles

ACCOUNT = "DE89370400440532013000"


def _tx(n: int, amount: str) -> str:
    return (f"<TxDtls><Refs><EndToEndId>E2E-{n:07d}</EndToEndId></Refs><AmtDtls><TxAmt>"
            f"<Amt Ccy=\"EUR\">{amount}</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Nm>Payer {n % 997}</Nm>"
            f"</Dbtr><DbtrAcct><Id><IBAN>NL20INGB{n % 997:010d}</IBAN></Id></DbtrAcct></RltdPties>"
            f"<RmtInf><Ustrd>INV-2026-{n:06d}</Ustrd></RmtInf></TxDtls>")


def camt(entries: int) -> bytes:
    """A camt.053 of `entries` entries; every tenth a batch of three transactions."""
    parts = []
    for n in range(entries):
        batch = n % 10 == 0
        amount = f"{100 + n % 900}.{n % 100:02d}"
        details = "".join(_tx(n * 3 + k, amount) for k in range(3)) if batch else _tx(n * 3, amount)
        total = f"{3 * (100 + n % 900)}.{3 * (n % 100):02d}" if batch else amount
        parts.append(f"<Ntry><Amt Ccy=\"EUR\">{total}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>"
                     f"<BookgDt><Dt>2026-12-01</Dt></BookgDt><AcctSvcrRef>BNK{n:09d}</AcctSvcrRef>"
                     f"<NtryDtls>{details}</NtryDtls></Ntry>")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
            "camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>B</MsgId><CreDtTm>2026-12-02T06:00:00Z</CreDtTm>"
            f"</GrpHdr><Stmt><Id>BENCH-1</Id><CreDtTm>2026-12-02T06:00:00Z</CreDtTm><Acct><Id><IBAN>{ACCOUNT}"
            f"</IBAN></Id><Ccy>EUR</Ccy></Acct>{''.join(parts)}</Stmt></BkToCstmrStmt></Document>").encode()


def csv_export(entries: int) -> bytes:
    head = "Account,Booking date,Amount,Currency,Bank reference,Description,Counterparty IBAN\n"
    rows = [f"GB29NWBK60161331926819,2026-12-01,{100 + n % 900}.{n % 100:02d},GBP,CSV{n:09d},"
            f"INV-2026-{n:06d},GB33BUKB{n % 997:014d}\n" for n in range(entries)]
    return (head + "".join(rows)).encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=10_000)
    args = ap.parse_args()
    url = fresh_database_url(tempfile.mkdtemp(prefix="bench-statements-"))
    app = create_app(Settings(database_url=url, testing=True, audit_key=BENCH_AUDIT_KEY,
                              max_upload_bytes=200 * 1024 * 1024), start_scheduler=False)
    upgrade(app.extensions["hub.engine"])
    profiles = load_profiles()
    for name, data in (("camt.053", camt(args.entries)), ("csv", csv_export(args.entries))):
        start, cpu = time.perf_counter(), time.process_time()
        count = sum(len(s.entries) for s in read(data, None, None, profiles)[1])
        parsed, parsed_cpu = time.perf_counter() - start, time.process_time() - cpu
        timings = []
        for _ in range(2):
            start, cpu = time.perf_counter(), time.process_time()
            with app.app_context(), new_session(app) as session:
                outcome = import_in_transaction(session, data, source=Source("bench"), profiles=profiles)
                counts = outcome.counts()
            timings.append((time.perf_counter() - start, time.process_time() - cpu))
        print(f"{name} on {url.split(':')[0]}: {len(data) / 1e6:.1f} MB, {count} entries; parse "
              f"{parsed:.2f} s, {parsed_cpu:.2f} s CPU ({count / parsed:,.0f}/s); "
              f"import {timings[0][0]:.2f} s, "
              f"{timings[0][1]:.2f} s CPU in this process ({count / timings[0][0]:,.0f}/s); the same file "
              f"again {timings[1][0] * 1000:.0f} ms ({counts['statements_repeated']} statement repeated)")


if __name__ == "__main__":
    main()
