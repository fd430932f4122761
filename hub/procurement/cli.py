"""`flask hub import ...` and `flask hub replenish`: procurement from the command line."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from hub.cli.actor import cli_actor
from hub.db import new_session
from hub.procurement import catalog, service

_actor = cli_actor


def csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of a CSV file with a header row (UTF-8, BOM allowed)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            yield reader.line_num, {k.strip(): (v or "") for k, v in row.items() if k}


def import_file(kind: str, path: Path, actor: str) -> catalog.ImportSummary:
    """Upsert a CSV file of one kind, with a progress bar."""
    rows = list(csv_rows(path))
    with click.progressbar(length=len(rows), label=f"importing {kind}", file=sys.stderr) as bar:
        return service.import_rows(new_session, kind, rows, actor=actor, progress=bar.update)


def register_procurement_commands(group: AppGroup) -> None:
    @group.command("import")
    @click.argument("kind", type=click.Choice(sorted(catalog.KINDS)))
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_command(kind: str, path: Path) -> None:
        """Import items, supplier terms or reorder rules from a CSV file (header row first)."""
        summary = import_file(kind, path, _actor())
        click.echo(f"{kind}: {summary.created} created, {summary.updated} updated, "
                   f"{summary.unchanged} unchanged, {len(summary.refused)} refused")
        for refusal in summary.refused:
            click.echo(f"line {refusal['line']}, column {refusal['column']}: {refusal['message']}")
        if summary.refused:
            sys.exit(2)

    @group.command("replenish")
    @click.option("--dry-run", is_flag=True, help="Show what would be ordered; write nothing.")
    def replenish_command(dry_run: bool) -> None:
        """Run replenishment now: rules at or below their trigger become purchase-order lines."""
        settings: Any = current_app.config["HUB_SETTINGS"]
        result = service.replenish(new_session, settings.procurement, at=datetime.now(UTC),
                                   scheduled=False, dry_run=dry_run, actor=_actor())
        click.echo(json.dumps(result, indent=2, default=str))
