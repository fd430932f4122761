"""Importing a bank statement file (camt.053/054, MT940, a CSV or Pix export): the use case.

Every file is an inbound exchange (message type BANKSTMT) of the hub's `bank-statements` partner,
its raw bytes stored as any exchange's, its state changes audited; a file that cannot be read is
kept `failed` with its problems (line or XPath, field), never lost. Idempotency, by the bank's own
identifiers:
- the same bytes again: nothing new (the first import is answered);
- a statement is known by account + statement id + the fingerprint of its entries' keys (+ its date
  when it has no entries): the same statement again changes nothing, however it is dated; an id the
  bank reuses (a year later, or with other entries) is a new statement;
- an entry is known by its `entry_key` on its account: one already stored (from an overlapping
  statement, a camt.054 notification then the camt.053) is skipped and counted.
Credits are `unmatched` with their whole amount open; debits (money out) are `ignored`; a reversal is
`ignored` and, when the credit it reverses is found (same account and amount, same end-to-end id,
bank reference or payer and text), names it in `details.reverses`, and that credit, if still
unmatched, becomes `ignored` with `details.reversed_by`.
The caller owns the transaction (`import_in_transaction` is the edges' way to run it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.audit.service import EventSpec, record_event, record_events
from hub.db import transaction
from hub.domain.states import Direction, ExchangeState
from hub.exchanges import service as exchanges
from hub.exchanges.service import EmptyBody, new_exchange, transition
from hub.partners import service as partners
from hub.reconciliation.models import BankStatement, StatementEntry
from hub.reconciliation.statements import check_profile, choose_format, read
from hub.reconciliation.statements.csv_profiles import CsvProfile
from hub.reconciliation.statements.domain import ParsedEntry, ParsedStatement, StatementError
from hub.records.models import Exchange

MESSAGE_TYPE = "BANKSTMT"
Progress = Callable[[int], None]


@dataclass
class ImportOutcome:
    """What one import did: the exchange, each statement (new or already held) and the counts."""

    exchange: Exchange
    format: str | None = None
    statements: list[BankStatement] = field(default_factory=list)
    repeated: list[int] = field(default_factory=list)  # ids of statements already held
    entries_imported: int = 0
    entries_known: int = 0  # already stored on the account: skipped
    not_booked: int = 0
    same_file: bool = False  # these bytes were imported before: nothing was done
    error: StatementError | None = None

    @property
    def repeat(self) -> bool:
        """Nothing new: the same file, or only statements already held."""
        return self.error is None and (self.same_file or len(self.repeated) == len(self.statements))

    def counts(self) -> dict[str, int]:
        return {"statements_new": len(self.statements) - len(self.repeated),
                "statements_repeated": len(self.repeated), "entries_imported": self.entries_imported,
                "entries_known": self.entries_known, "entries_not_booked": self.not_booked}


@dataclass(frozen=True)
class Source:
    """Where a file came from: for the exchange row and the audit trail."""

    actor: str
    filename: str | None = None
    content_type: str | None = None
    connector_id: int | None = None


def import_statement(session: Session, data: bytes, *, source: Source, fmt: str | None = None,
                     profile: str | None = None, profiles: dict[str, CsvProfile],
                     progress: Progress | None = None) -> ImportOutcome:
    """Store the file as an exchange and import its statements (flush only; the caller commits).
    EmptyBody (400), UnknownProfile (400) and UnknownFormat (415) store nothing; a file that
    cannot be read is stored failed and its error returned in the outcome."""
    if not data:
        raise EmptyBody("the statement file is empty")
    fmt = choose_format(data, fmt)
    check_profile(profile, profiles)
    bank = partners.statement_source(session, actor=source.actor)
    exchange, earlier = _exchange(session, bank.id, data, source)
    if earlier is not None:
        return earlier
    try:
        chosen, parsed = read(data, fmt, profile, profiles)
    except StatementError as exc:
        exchanges.describe(exchange, error=exc.as_dict(), result={"format": fmt, "profile": profile})
        transition(session, exchange, ExchangeState.failed, actor=source.actor,
                   details={"error": exc.code, "message": exc.message[:300]})
        return ImportOutcome(exchange=exchange, format=fmt, error=exc)
    outcome = import_parsed(session, exchange, chosen, profile, parsed, actor=source.actor,
                            progress=progress)
    exchanges.describe(exchange, error=None)
    transition(session, exchange, ExchangeState.processed, actor=source.actor,
               details={"doc_type": MESSAGE_TYPE, **outcome.counts()})
    return outcome


def import_parsed(session: Session, exchange: Exchange, chosen: str, profile: str | None,
                  parsed: list[ParsedStatement], *, actor: str, progress: Progress | None = None
                  ) -> ImportOutcome:
    """Import the statements read from the exchange's file and record what was done on it."""
    outcome = ImportOutcome(exchange=exchange, format=chosen)
    for statement in parsed:
        _import_one(session, statement, outcome, actor, progress)
    exchanges.describe(exchange, control_ref=parsed[0].statement_ref[:100], result={
        "format": chosen, "profile": profile, "statements": [s.id for s in outcome.statements],
        **outcome.counts()})
    return outcome


def reprocess(session: Session, exchange: Exchange, profiles: dict[str, CsvProfile], *, actor: str
              ) -> dict[str, Any]:
    """Read a stored statement file again (`flask hub reprocess`, after a fix such as a new CSV
    profile) with the format and profile it was sent with; StatementError when it still fails."""
    asked = exchange.result or {}
    fmt, profile = asked.get("format"), asked.get("profile")
    chosen, parsed = read(exchange.raw, fmt, profile, profiles)
    return import_parsed(session, exchange, chosen, profile, parsed, actor=actor).exchange.result


def import_in_transaction(session: Session, data: bytes, **kwargs: Any) -> ImportOutcome:
    """Run the import as one unit of work and commit it (a failed file is committed too, with its
    error). Two imports of one statement at once: the second meets the first's unique keys, and
    is run again, finding it."""
    for attempt in (1, 2):
        try:
            with transaction(session):
                return import_statement(session, data, **kwargs)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _exchange(session: Session, bank_id: int, data: bytes, source: Source
              ) -> tuple[Exchange, ImportOutcome | None]:
    """The exchange to import into (new, or a failed one of the same bytes tried again), or the
    outcome of the earlier import of these bytes."""
    digest = hashlib.sha256(data).hexdigest()
    held = session.scalars(select(Exchange).where(
        Exchange.partner_id == bank_id, Exchange.direction == Direction.inbound.value,
        Exchange.sha256 == digest)).first()
    if held is not None and held.state != ExchangeState.failed:
        ids = (held.result or {}).get("statements") or []
        rows = list(session.scalars(select(BankStatement).where(BankStatement.id.in_(ids))
                                    .order_by(BankStatement.id)))
        return held, ImportOutcome(exchange=held, format=(held.result or {}).get("format"),
                                   statements=rows, repeated=[r.id for r in rows], same_file=True)
    if held is not None:
        exchanges.describe(held, content_type=source.content_type, filename=source.filename)
        transition(session, held, ExchangeState.processing, actor=source.actor,
                   details={"retry": "the same file imported again"})
        return held, None
    exchange = new_exchange(
        session, Direction.inbound, bank_id, data, state=ExchangeState.received, sha256=digest,
        syntax="statement", doc_type=MESSAGE_TYPE,
        content_type=(source.content_type or "")[:200] or None,
        filename=(source.filename or "")[:300] or None, connector_id=source.connector_id, attempts=1)
    record_event(session, actor=source.actor, action="exchange.received", object_type="exchange",
                 object_id=exchange.id, partner_id=bank_id,
                 details={"sha256": digest, "size": len(data), "type": MESSAGE_TYPE,
                          "filename": exchange.filename, "connector_id": source.connector_id})
    transition(session, exchange, ExchangeState.processing, actor=source.actor)
    return exchange, None


def _import_one(session: Session, parsed: ParsedStatement, outcome: ImportOutcome, actor: str,
                progress: Progress | None) -> None:
    outcome.not_booked += parsed.not_booked
    same = select(BankStatement).where(
        BankStatement.account == parsed.account, BankStatement.statement_ref == parsed.statement_ref,
        BankStatement.fingerprint == parsed.fingerprint)
    # entries' keys hold the bank's references: the same ones under the same id are the same statement
    # whatever day it is dated (a reader dating it otherwise, by its period rather than by the day the
    # file was written, made a re-sent one a new, empty statement); without entries, the day tells
    held = session.scalars(same if parsed.entries else
                           same.where(BankStatement.statement_date == parsed.statement_date)).first()
    if held is not None:
        outcome.statements.append(held)
        outcome.repeated.append(held.id)
        if progress:
            progress(len(parsed.entries))
        return
    statement = BankStatement(
        exchange_id=outcome.exchange.id, source_format=parsed.source_format, account=parsed.account,
        statement_ref=parsed.statement_ref, statement_date=parsed.statement_date,
        currency=parsed.currency, opening_balance=parsed.opening_balance,
        closing_balance=parsed.closing_balance, fingerprint=parsed.fingerprint, entry_count=0)
    session.add(statement)
    session.flush()
    known = _known_keys(session, parsed)
    payer_of = _payers(session, parsed.entries)
    rows: list[StatementEntry] = []
    for entry in parsed.entries:
        if entry.entry_key in known:
            outcome.entries_known += 1
        else:
            known.add(entry.entry_key)
            rows.append(_entry_row(statement, entry, payer_of))
        if progress:
            progress(1)
    session.add_all(rows)
    session.flush()  # one batch of INSERTs: a 10,000-entry statement is not 10,000 round trips
    statement.entry_count = len(rows)
    outcome.entries_imported += len(rows)
    events: list[EventSpec] = []
    for row in rows:
        if row.reversal:
            events += _link_reversal(session, row, actor)
    outcome.statements.append(statement)
    events.append(EventSpec(actor, "statement.imported", "bank_statement", str(statement.id), None, {
        "exchange_id": outcome.exchange.id, "format": parsed.source_format, "account": parsed.account,
        "statement_ref": parsed.statement_ref, "statement_date": parsed.statement_date.isoformat(),
        "entries": statement.entry_count, "entries_known": len(parsed.entries) - statement.entry_count}))
    record_events(session, events)


def _known_keys(session: Session, parsed: ParsedStatement) -> set[str]:
    keys = sorted({e.entry_key for e in parsed.entries})
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(session.scalars(select(StatementEntry.entry_key).where(
            StatementEntry.account == parsed.account,
            StatementEntry.entry_key.in_(keys[start:start + 500]))))
    return found


def _payers(session: Session, entries: tuple[ParsedEntry, ...]) -> Callable[[ParsedEntry], dict[str, Any]]:
    """Which partner each entry's payer is: by IBAN, else CNPJ/CPF/VAT; only when exactly one."""
    owners = partners.payers(session, {e.counterparty_iban for e in entries if e.counterparty_iban},
                             {e.counterparty_id for e in entries if e.counterparty_id})

    def payer(entry: ParsedEntry) -> dict[str, Any]:
        for kind, value in (("account", entry.counterparty_iban), ("id", entry.counterparty_id)):
            holders = owners.get((kind, value or ""), set())
            if len(holders) == 1:
                return {"partner_id": next(iter(holders)), "by": "iban" if kind == "account" else "tax_id"}
            if len(holders) > 1:
                return {"partner_id": None, "ambiguous": sorted(holders), "by": kind}
        return {"partner_id": None}
    return payer


def _entry_row(statement: BankStatement, entry: ParsedEntry,
               payer_of: Callable[[ParsedEntry], dict[str, Any]]) -> StatementEntry:
    payer = payer_of(entry)
    credit = entry.amount > 0 and not entry.reversal
    details = dict(entry.details)
    if payer.get("by"):
        details["partner_by"] = payer["by"]
    if payer.get("ambiguous"):
        details["partner_ambiguous"] = payer["ambiguous"]
    if not credit:
        details["kind"] = "reversal" if entry.reversal else "debit"
    return StatementEntry(
        statement_id=statement.id, account=statement.account, entry_key=entry.entry_key,
        line=entry.line, booking_date=entry.booking_date, value_date=entry.value_date,
        amount=entry.amount, currency=entry.currency, fees=entry.fees, reversal=entry.reversal,
        bank_reference=entry.bank_reference, end_to_end_id=entry.end_to_end_id,
        pix_txid=entry.pix_txid, structured_reference=entry.structured_reference,
        remittance_info=entry.remittance_info, counterparty_name=entry.counterparty_name,
        counterparty_iban=entry.counterparty_iban, counterparty_id=entry.counterparty_id,
        partner_id=payer.get("partner_id"), status="unmatched" if credit else "ignored",
        open_amount=entry.amount if credit else Decimal(0), details=details)


def _link_reversal(session: Session, reversal: StatementEntry, actor: str) -> list[EventSpec]:
    """Find the entry a reversal undoes and mark both; the events saying so."""
    same = [StatementEntry.end_to_end_id == reversal.end_to_end_id] if reversal.end_to_end_id else []
    same += [StatementEntry.pix_txid == reversal.pix_txid] if reversal.pix_txid else []
    same += [StatementEntry.structured_reference == reversal.structured_reference] \
        if reversal.structured_reference else []
    if reversal.counterparty_iban or reversal.counterparty_id:
        same.append(StatementEntry.counterparty_iban == reversal.counterparty_iban
                    if reversal.counterparty_iban else
                    StatementEntry.counterparty_id == reversal.counterparty_id)
    if not same:
        return []
    original = session.scalars(select(StatementEntry).where(
        StatementEntry.account == reversal.account, StatementEntry.id != reversal.id,
        StatementEntry.amount == -reversal.amount, StatementEntry.reversal.is_(False),
        StatementEntry.currency == reversal.currency, or_(*same))
        .order_by(StatementEntry.booking_date.desc(), StatementEntry.id.desc())).first()
    if original is None or (original.details or {}).get("reversed_by"):
        return []
    reversal.details = {**reversal.details, "reverses": {"entry_id": original.id,
                                                         "entry_key": original.entry_key}}
    still_open = original.status in ("unmatched", "suggested")
    original.details = {**(original.details or {}), "reversed_by": {
        "entry_id": reversal.id, "entry_key": reversal.entry_key}}
    if still_open:
        original.status, original.open_amount = "ignored", Decimal(0)
    return [EventSpec(actor, "statement_entry.reversed", "statement_entry", str(original.id),
                      original.partner_id, {"reversal_entry_id": reversal.id,
                                            "amount": str(original.amount),
                                            "status": original.status,
                                            "was_matched": not still_open})]
