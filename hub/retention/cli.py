"""`flask hub purge`: forget raw bytes, rendered files and canonical documents past their age."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from hub.db import get_engine, new_session, transaction
from hub.retention import service
from hub.retention.domain import CLASSES, RetentionSettingError, parse_age


def _ages(older_than: str | None, klass: str) -> dict[str, timedelta]:
    classes = CLASSES if klass == "all" else (klass,)
    if older_than:
        try:
            age = parse_age(older_than)
        except RetentionSettingError as exc:
            raise click.BadParameter(str(exc), param_hint="--older-than") from None
        return dict.fromkeys(classes, age)
    policy = current_app.config["HUB_SETTINGS"].retention.ages()
    ages = {k: v for k, v in policy.items() if k in classes}
    if not ages:
        raise click.UsageError("no retention policy for this class: pass --older-than 90d, or set "
                               "HUB_RETENTION_RAW_DAYS / _RENDERED_DAYS / _DOCUMENTS_DAYS")
    return ages


def _database_file() -> str | None:
    engine = get_engine()
    return engine.url.database if engine.dialect.name == "sqlite" else None


def _echo_report(report: dict[str, Any]) -> None:
    verb = "would purge" if report["dry_run"] else "purged"
    click.echo("class\tolder than\t" + verb + "\tbytes\tkept: not final\tpending\tunpaid\tlegal minimum")
    for klass, c in report["classes"].items():
        click.echo(f"{klass}\t{c['older_than_days']}d\t{c['purged']}\t{c['bytes']}\t{c['not_final']}\t"
                   f"{c['pending']}\t{c['unpaid']}\t{c['legal_minimum']}")


def register_retention_commands(group: AppGroup) -> None:
    @group.command("purge")
    @click.option("--older-than", help="Age past which data goes: 90d, 12w, 2y (default: the "
                                       "HUB_RETENTION_*_DAYS policy).")
    @click.option("--class", "klass", type=click.Choice([*CLASSES, "all"]), default="all",
                  show_default=True, help="raw: received bytes; rendered: files the hub sent; "
                                          "documents: canonical documents.")
    @click.option("--dry-run", is_flag=True, help="Count what would go; change nothing.")
    def purge_command(older_than: str | None, klass: str, dry_run: bool) -> None:
        """Purge stored content past its age (invoices are kept the legal minimum; audit events always)."""
        from hub.cli.actor import cli_actor as _actor
        ages = _ages(older_than, klass)
        settings = current_app.config["HUB_SETTINGS"]
        with new_session() as session, transaction(session):
            report = service.purge(session, ages, datetime.now(UTC), dry_run=dry_run, actor=_actor(),
                                   invoice_min_years=settings.retention.invoice_min_years)
        _echo_report(report)
        path = _database_file()
        if not dry_run and path and service.purged_anything(report):
            before = os.path.getsize(path)
            service.compact(get_engine())
            click.echo(f"database file: {before} -> {os.path.getsize(path)} bytes (VACUUM)")
