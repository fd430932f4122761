"""`flask hub statement-import FILE`: a bank statement file imported from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from hub.db import new_session
from hub.domain.errors import HubError, Problem
from hub.reconciliation.imports import Source, import_in_transaction
from hub.reconciliation.statements import FORMATS, read
from hub.reconciliation.statements.csv_profiles import load_profiles
from hub.reconciliation.statements.domain import StatementError


def _where(problem: Problem) -> str:
    """One problem on one line: `line 7, :61:: cannot be read ...` or `<XPath>: ...`."""
    place = ", ".join(p for p in (f"line {problem.segment_position}" if problem.segment_position
                                  is not None else None, problem.element) if p)
    return f"{place}: {problem.message}" if place else problem.message


def _fail(lines: list[str]) -> None:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(2)


def register_statement_commands(group: AppGroup) -> None:
    @group.command("statement-import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(FORMATS), help="camt, mt940 or csv (default: sniffed)")
    @click.option("--profile", help="the CSV profile (default: the one whose columns the header has)")
    def statement_import(path: Path, fmt: str | None, profile: str | None) -> None:
        """Import a bank statement file (camt.053/054, MT940, CSV or Pix export), idempotently."""
        from hub.cli.actor import cli_actor as _actor  # how a command names its user in the audit trail

        data = path.read_bytes()
        try:
            known = load_profiles(current_app.config["HUB_SETTINGS"].statement_profiles or None)
            try:
                total = sum(len(s.entries) for s in read(data, fmt, profile, known)[1])
            except StatementError:
                total = 0  # the import below stores the file failed and says why
            with new_session() as session, click.progressbar(
                    length=total, label=f"importing {path.name}", file=sys.stderr) as bar:
                outcome = import_in_transaction(session, data, source=Source(_actor(), path.name),
                                                fmt=fmt, profile=profile, profiles=known,
                                                progress=bar.update)
                counts, exchange_id = outcome.counts(), outcome.exchange.id
                refs = [f"{s.account} {s.statement_ref} {s.statement_date}" for s in outcome.statements]
        except HubError as exc:
            _fail([f"error: {_where(problem)}" for problem in exc.problems] or [f"error: {exc.message}"])
            return
        if outcome.error is not None:
            _fail([f"exchange {exchange_id} failed: {_where(p)}" for p in outcome.error.problems]
                  or [f"exchange {exchange_id} failed: {outcome.error.message}"])
        if outcome.repeat:
            click.echo(f"nothing new: {'this file' if outcome.same_file else 'every statement'} "
                       f"was imported before (exchange {exchange_id}): {'; '.join(refs)}")
            return
        click.echo(f"exchange {exchange_id}: {counts['statements_new']} statement(s) new, "
                   f"{counts['statements_repeated']} already held; {counts['entries_imported']} entries "
                   f"imported, {counts['entries_known']} already held, "
                   f"{counts['entries_not_booked']} not booked")
