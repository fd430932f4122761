"""A matching run: 100,000 payments against 100,000 open invoices (SQLite, or PostgreSQL).

Generates its own data straight into a fresh database: 5,000 buyers (most with a known IBAN, some with
a VAT number), 100,000 open invoices in EUR, BRL and USD whose amounts repeat within a partner (several
open invoices of the same amount), some with an RF creditor reference; and 100,000 payments, keeping
the generator's truth (which invoices each pays): a third quote no reference at all, some fall short by
bank fees, a tenth pay several invoices (their numbers in the text, or a remittance advice, which for
some deducts a partial credit note of the first invoice's: about 1,800 credit notes), some are
partial, some quote a near-miss reference (one character off: a letter for a digit, or a number no
invoice has), some pay nothing of ours, some are reversals; and one active ERP connector that
carries the payment-status messages, so the run queues one for every buyer whose invoices it pays
(listing them), as a real one does. Generating is not timed. Then times one real run
(`service.reconcile`: a few reads into dicts, one pass in Python, bulk writes of the matches, the
invoices' states, the audit events and the ERP outbox, commit) and checks every automatic match
against the truth.

`--phases` also prints where the run's time goes (wall and this process's CPU per phase, each
exclusive of the phases inside it; "other" is the rest of the run: the job run's slot, the lock,
closing the session; not the check of its matches afterwards, which it once included), and on a
PostgreSQL on this machine the server's CPU per phase (its backends' CPU from /proc, so that half of
the work shows too). Under load compare CPU seconds: wall time then
includes waiting for a CPU.

`--runs 2` times a second run too: the next slot's, which decides again the payments the first left
pending (suggested or unmatched) and replaces their suggestions, with 10,000 learnt payer names in the
table that deleting a match checks.

    .venv/bin/python bench/reconcile.py [--payments 100000] [--database-url postgresql://...] [--phases]
        [--runs 2]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402

from bench.common import BENCH_AUDIT_KEY, fresh_database_url, timed  # noqa: E402
from hub import create_app  # noqa: E402
from hub.config import Settings  # noqa: E402
from hub.db import new_session, utcnow  # noqa: E402
from hub.erp.models import ErpConnector  # noqa: E402
from hub.invoicing.models import IssuedInvoice  # noqa: E402
from hub.migrate import upgrade  # noqa: E402
from hub.partners.models import Company, Partner, PartnerIdentifier  # noqa: E402
from hub.reconciliation import service  # noqa: E402
from hub.reconciliation.match_models import PayerMapping, PaymentMatch  # noqa: E402
from hub.reconciliation.models import BankStatement, RemittanceRecord, StatementEntry  # noqa: E402

PARTNERS = 5_000
LEARNT_NAMES = 10_000  # payer names learnt from earlier confirmed matches (payer_mappings)
CURRENCIES = ("EUR",) * 8 + ("BRL", "USD")
AMOUNTS = [Decimal(n) * 5 + Decimal(c) / 100 for n in range(10, 400) for c in (0, 50)]


def _rf(seed: int) -> str:
    """A valid ISO 11649 creditor reference."""
    body = f"{seed:010d}"
    digits = "".join(str(int(ch, 36)) for ch in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


def _near_miss(number: str, rnd: random.Random) -> str:
    """One character off: a letter O for a zero, or a first serial digit no invoice has."""
    if rnd.random() < 0.5 and "0" in number[9:]:
        at = number.index("0", 9)
        return number[:at] + "O" + number[at + 1:]
    return number[:9] + "9" + number[10:]


def generate(url: str, count: int, seed: int = 16) -> dict[int, tuple[int, ...]]:
    """Write partners, invoices and payments; return each payment's true invoices (by entry id)."""
    rnd = random.Random(seed)
    engine = create_engine(url)
    upgrade(engine)
    now, today = utcnow(), date(2026, 6, 1)
    partners = [{"id": n, "name": f"buyer-{n}", "roles": ["buyer"], "syntax": "edifact", "active": True,
                 "profile": {"bank_accounts": [f"DE{n:020d}"]} if n % 10 else {}, "created_at": now}
                for n in range(1, PARTNERS + 1)]
    ids = [{"partner_id": n, "scheme": "vat", "value": f"FR{n:011d}", "qualifier": ""}
           for n in range(1, PARTNERS + 1) if n % 10 == 0]
    currency_of = {n: rnd.choice(CURRENCIES) for n in range(1, PARTNERS + 1)}
    invoices = []
    for n in range(1, count + 1):
        buyer = rnd.randint(1, PARTNERS)
        invoices.append({"id": n, "company_id": 1, "buyer_id": buyer, "number": f"INV-2026-{n:06d}",
                         "is_credit_note": False, "state": "issued", "currency": currency_of[buyer],
                         "issued": today - timedelta(days=40),
                         "due_date": today - timedelta(days=rnd.randint(0, 30)),
                         "payable": rnd.choice(AMOUNTS[:60]) if rnd.random() < 0.5 else rnd.choice(AMOUNTS),
                         "paid": Decimal(0), "syntax": "edifact", "source": "bench", "request": {},
                         "canonical": {}, "history": [],
                         "payment_reference": _rf(n) if n % 5 == 0 else None, "created_at": now})
    entries, remits, truth, credit_notes = _payments(rnd, invoices, count, now)
    with engine.begin() as conn:
        conn.execute(insert(Partner), partners)
        conn.execute(insert(PartnerIdentifier), ids)
        conn.execute(insert(Company), [{"id": 1, "name": "Bench SA", "country": "BE", "identifiers": [],
                                        "payment_days": 30, "invoice_prefix": "INV", "created_at": now}])
        for start in range(0, len(invoices), 20_000):
            conn.execute(insert(IssuedInvoice), invoices[start:start + 20_000])
        if credit_notes:
            conn.execute(insert(IssuedInvoice), credit_notes)
        conn.execute(insert(BankStatement), [{"id": 1, "source_format": "camt.053",
                                              "account": "BE71096123456769",
                                              "statement_ref": "BENCH", "statement_date": today,
                                              "fingerprint": "bench", "entry_count": len(entries),
                                              "created_at": now}])
        for start in range(0, len(entries), 20_000):
            conn.execute(insert(StatementEntry), entries[start:start + 20_000])
        if remits:
            conn.execute(insert(RemittanceRecord), remits)
        conn.execute(insert(PayerMapping), [  # what earlier confirmations taught: names no payment here uses
            {"kind": "name", "value": f"LEARNT PAYER {n}", "partner_id": rnd.randint(1, PARTNERS),
             "match_id": None, "created_at": now} for n in range(LEARNT_NAMES)])
        conn.execute(insert(ErpConnector), [{"id": 1, "name": "bench-erp", "key": "rest", "settings": {},
                                             "document_types": ["payment_status"], "active": True,
                                             "poll_seq": 0, "created_at": now, "updated_at": now}])
        if engine.dialect.name == "postgresql":  # rows were given their ids: move the sequences past them
            for table in ("partners", "issued_invoices", "statement_entries", "bank_statements", "companies",
                          "connectors"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
    engine.dispose()
    return truth


def _payments(rnd: random.Random, invoices: list[dict[str, Any]], count: int, now: datetime
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[int, tuple[int, ...]],
                         list[dict[str, Any]]]:
    by_partner: dict[int, list[dict[str, Any]]] = {}
    for inv in invoices:
        by_partner.setdefault(inv["buyer_id"], []).append(inv)
    order = list(invoices)
    rnd.shuffle(order)
    out = _Payments(now)
    taken: set[int] = set()
    for inv in order:
        if len(out.entries) >= count:
            break
        if inv["id"] in taken:
            continue
        kind = rnd.random()
        paid = [inv]
        if kind < 0.10:  # several invoices of the partner in one payment
            more = [i for i in by_partner[inv["buyer_id"]] if i["id"] not in taken and i is not inv]
            paid += more[:rnd.randint(1, 2)]
        taken.update(i["id"] for i in paid)
        amount = sum((i["payable"] for i in paid), Decimal(0))
        text_, known = "Invoice " + " ".join(i["number"] for i in paid), rnd.random() < 0.7
        if kind < 0.05 and len(paid) > 1:  # half of those paying several come with a remittance advice
            if kind < 0.02:  # some of those take a partial credit note of the first invoice off
                note = out.credit_note(inv, count)
                amount -= note["payable"]
                paid.append(note)
            out.remittance(inv, paid, amount)
            text_ = f"REMITTANCE RA-{len(out.entries) + 1}"
        if 0.10 <= kind < 0.43:  # a third: no reference at all
            out.add(inv, amount, rnd.choice(("Payment", "thanks", "transfer June", "")), paid, known)
        elif 0.43 <= kind < 0.50:  # short by bank fees
            fees = Decimal(rnd.randint(50, 300)) / 100
            out.add(inv, amount - fees, text_, paid, known, fees=fees)
        elif 0.50 <= kind < 0.62:  # paid in two payments: a partial one, then the rest
            half = (amount / 3).quantize(Decimal("0.01"))
            out.add(inv, half, text_, paid, known)
            out.add(inv, amount - half, text_, paid, known, later=1)
        elif 0.62 <= kind < 0.66:  # a near-miss reference: one character off
            out.add(inv, amount, f"Invoice {_near_miss(inv['number'], rnd)}", paid, known)
        elif 0.66 <= kind < 0.68:  # not ours at all: an unknown payer, any amount
            taken.discard(inv["id"])
            refund = Decimal(rnd.randint(100, 99_999)) / 100
            out.add(inv, refund, f"Refund {rnd.randint(1, 10**9)}", [], False)
        elif 0.68 <= kind < 0.685:  # a reversal
            taken.discard(inv["id"])
            out.add(inv, -amount, text_, [], known)
        elif inv["payment_reference"] and len(paid) == 1 and kind < 0.80:
            out.add(inv, amount, "", paid, known, structured=inv["payment_reference"])
        else:
            out.add(inv, amount, text_, paid, known)
    while len(out.entries) < count:  # every invoice is spoken for: the rest pay nothing of ours
        out.add(order[len(out.entries) % len(order)], Decimal(rnd.randint(100, 99_999)) / 100,
                f"Refund {rnd.randint(1, 10**9)}", [], False)
    return out.entries[:count], out.remits, out.truth, out.credit_notes


class _Payments:
    """The entries generated so far, their remittance advices and the truth."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.entries: list[dict[str, Any]] = []
        self.remits: list[dict[str, Any]] = []
        self.truth: dict[int, tuple[int, ...]] = {}
        self.credit_notes: list[dict[str, Any]] = []

    def add(self, inv: dict[str, Any], amount: Decimal, text_: str, paid: list[dict[str, Any]], known: bool,
            *, fees: Decimal = Decimal(0), structured: str | None = None, later: int = 0) -> None:
        n = len(self.entries) + 1
        self.entries.append({
            "id": n, "statement_id": 1, "account": "BE71096123456769", "entry_key": f"E{n:07d}",
            "booking_date": date(2026, 6, 1) + timedelta(days=n % 20 + 20 * later), "amount": amount,
            "currency": inv["currency"], "fees": fees, "reversal": amount < 0,
            "structured_reference": structured, "remittance_info": text_,
            "counterparty_iban": f"DE{inv['buyer_id']:020d}" if known else None,
            "counterparty_name": f"Buyer {inv['buyer_id']}", "status": "unmatched", "open_amount": amount,
            "details": {}, "created_at": self.now})
        self.truth[n] = tuple(i["id"] for i in paid)

    def remittance(self, inv: dict[str, Any], paid: list[dict[str, Any]], amount: Decimal) -> None:
        """An advice naming the invoices paid, a credit note among them as a deduction (negative)."""
        self.remits.append({"partner_id": inv["buyer_id"], "number": f"RA-{len(self.entries) + 1}",
                            "currency": inv["currency"], "total": amount, "created_at": self.now,
                            "lines": [{"invoice": i["number"],
                                       "amount": str(-i["payable"] if i["is_credit_note"] else i["payable"])}
                                      for i in paid]})

    def credit_note(self, inv: dict[str, Any], invoices: int) -> dict[str, Any]:
        """A credit note for part of `inv` (a tenth of it), issued, nothing of it used yet."""
        n = invoices + len(self.credit_notes) + 1
        note = {**inv, "id": n, "number": f"CN-2026-{n:06d}", "is_credit_note": True,
                "credit_of_id": inv["id"], "due_date": None, "payment_reference": None,
                "payable": (inv["payable"] / 10).quantize(Decimal("0.01"))}
        self.credit_notes.append(note)
        return note


class Phases:
    """Wall and CPU seconds per phase of the run, each exclusive of the phases called inside it: the
    functions below are wrapped where the run looks them up (module attributes) while it runs."""

    WHERE = (("reads: rules, tolerances", "hub.reconciliation.matching", "load_config"),
             ("reads: payers", "hub.reconciliation.matching", "load_payers"),
             ("reads: payments", "hub.reconciliation.matching", "load_payments"),
             ("reads: open invoices", "hub.reconciliation.matching", "load_index"),
             ("reads: remittances", "hub.reconciliation.matching", "load_remittances"),
             ("candidates, scores, decisions", "hub.reconciliation.matching", "match_all"),
             ("matching: suggestion rows, statuses' events", "hub.reconciliation.service", "run_matching"),
             ("suggestions: delete old", "hub.reconciliation.booking", "replace_suggestions"),
             ("match rows, allocations, write-offs, credit", "hub.reconciliation.booking", "write_rows"),
             ("matching: booking (building rows)", "hub.reconciliation.booking", "book_matches"),
             ("entries' statuses", "hub.reconciliation.booking", "set_entries"),
             ("invoices' states (invoicing)", "hub.invoicing.service", "record_payments"),
             ("audit events", "hub.reconciliation.booking", "record_events"),
             ("audit events", "hub.reconciliation.service", "record_events"),
             ("audit events", "hub.invoicing.payments", "record_events"),
             ("ERP outbox", "hub.reconciliation.booking", "notify_erps"),
             ("commit", "sqlalchemy.orm", "Session.commit"))

    def __init__(self, engine: Any = None) -> None:
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.server: dict[str, float] = {}
        self.stack: list[str] = []
        self.saved: list[tuple[Any, str, Any]] = []
        self.backends: set[int] = set()  # PostgreSQL backends the run's connections are served by
        self.mark: tuple[float, float] = (0.0, 0.0)  # wall and CPU at the last switch (start() sets it)
        self.server_mark = 0.0
        if engine is not None and engine.dialect.name == "postgresql":
            event.listen(engine, "checkout", self._checkout)

    def _checkout(self, dbapi_connection: Any, *_: Any) -> None:
        pid = dbapi_connection.info.backend_pid
        if pid not in self.backends:  # its CPU so far is not the run's
            self.backends.add(pid)
            self.server_mark += _backend_cpu(pid) or 0.0

    def _server_cpu(self) -> float:
        return sum(_backend_cpu(pid) or 0.0 for pid in self.backends)

    def __enter__(self) -> Phases:
        import importlib
        for label, module, name in self.WHERE:
            owner: Any = importlib.import_module(module)
            if "." in name:
                cls, name = name.split(".")
                owner = getattr(owner, cls)
            original = getattr(owner, name)
            self.saved.append((owner, name, original))
            setattr(owner, name, self._wrap(label, original))
        return self

    def __exit__(self, *_: Any) -> None:
        for owner, name, original in reversed(self.saved):
            setattr(owner, name, original)
        self._switch("other", "other")  # the run ends here: what follows (checking it) is not its time

    def _wrap(self, label: str, call: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self._switch(self.stack[-1] if self.stack else "other", label)
            self.stack.append(label)
            try:
                return call(*args, **kwargs)
            finally:
                self.stack.pop()
                self._switch(label, self.stack[-1] if self.stack else "other")
        return wrapped

    def _switch(self, leaving: str, entering: str) -> None:
        wall, cpu, server = time.perf_counter(), time.process_time(), self._server_cpu()
        self.wall[leaving] = self.wall.get(leaving, 0.0) + wall - self.mark[0]
        self.cpu[leaving] = self.cpu.get(leaving, 0.0) + cpu - self.mark[1]
        self.server[leaving] = self.server.get(leaving, 0.0) + server - self.server_mark
        self.mark, self.server_mark = (wall, cpu), server

    def start(self) -> None:
        self.mark = (time.perf_counter(), time.process_time())

    def report(self) -> str:
        rows = sorted(self.cpu, key=lambda k: -self.cpu[k] - self.server[k])
        server = bool(self.backends) and any(_backend_cpu(pid) is not None for pid in self.backends)
        return "\n".join(f"  {label:<46} {self.wall[label]:7.2f} s wall {self.cpu[label]:7.2f} s CPU"
                         + (f" {self.server[label]:7.2f} s server CPU" if server else "")
                         for label in rows)


def _backend_cpu(pid: int) -> float | None:
    """A local PostgreSQL backend's CPU seconds so far (user + system), None when /proc cannot tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_run(app: Any) -> tuple[float, float, int, dict[str, Any]]:
    return timed(app.extensions["hub.engine"], lambda: service.reconcile(
        lambda: new_session(app), app.config["HUB_SETTINGS"].matching,
        at=datetime(2026, 12, 2, 10, tzinfo=UTC), scheduled=False))


def check(app: Any, truth: dict[int, tuple[int, ...]]) -> tuple[int, int]:
    """(automatic matches, wrong ones): a match is wrong when its invoices are not the payment's."""
    automatic = wrong = 0
    with app.app_context(), new_session() as session:
        for entry_id, allocations in session.execute(select(PaymentMatch.entry_id, PaymentMatch.allocations)
                                                     .where(PaymentMatch.state == "matched",
                                                            PaymentMatch.automatic.is_(True))):
            automatic += 1
            wrong += tuple(sorted(a["invoice_id"] for a in allocations)) != tuple(sorted(truth[entry_id]))
    return automatic, wrong


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL (its public schema is emptied)")
    parser.add_argument("--phases", action="store_true", help="also print the time per phase of the run")
    parser.add_argument("--runs", type=int, default=1,
                        help="runs in all: each later one re-decides the payments left pending, as the "
                             "next scheduled slot does, and replaces their suggestions")
    args = parser.parse_args()
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    with tempfile.TemporaryDirectory() as tmp:
        url = fresh_database_url(tmp)
        start = time.perf_counter()
        truth = generate(url, args.payments)
        print(f"generated {args.payments} open invoices and {len(truth)} payments on {url.split(':')[0]} "
              f"in {time.perf_counter() - start:.1f} s")
        os.chdir(tmp)
        app = create_app(Settings(database_url=url, audit_key=BENCH_AUDIT_KEY), start_scheduler=False)
        phases = Phases(app.extensions["hub.engine"])
        if args.phases:
            with phases:
                phases.start()
                elapsed, cpu, statements, result = timed_run(app)
        else:
            elapsed, cpu, statements, result = timed_run(app)
        automatic, wrong = check(app, truth)
        payable = sum(1 for t in truth.values() if t)
        print(f"run: {elapsed:.2f} s ({cpu:.2f} s of this process's CPU), {statements} SQL statements; "
              f"{result['matched']} matched automatically "
              f"({100 * automatic / len(truth):.1f} % of payments, "
              f"{100 * automatic / payable:.1f} % of those "
              f"paying invoices), {result['suggested']} suggested, {result['unmatched']} unmatched")
        print(f"wrong automatic matches: {wrong} ({100 * wrong / max(automatic, 1):.3f} %)")
        if args.phases:
            print("phases (each without the phases inside it):\n" + phases.report())
        for n in range(2, args.runs + 1):
            elapsed, cpu, statements, result = timed_run(app)
            print(f"run {n}: {elapsed:.2f} s ({cpu:.2f} s of this process's CPU), {statements} SQL "
                  f"statements; {result['payments']} pending payments decided again: {result['matched']} "
                  f"matched, {result['suggested']} suggested (their earlier suggestions replaced), "
                  f"{result['unmatched']} unmatched")
            automatic, wrong = check(app, truth)
            print(f"wrong automatic matches after run {n}: {wrong} of {automatic} "
                  f"({100 * wrong / max(automatic, 1):.3f} %)")
        app.extensions["hub.engine"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
