"""`flask hub reconcile [--dry-run]`, `reconcile-rule`, `reconcile-tolerance`: matching from the command
line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from hub.cli.actor import cli_actor as _actor
from hub.db import new_session
from hub.reconciliation import service
from hub.reconciliation.domain import DEFAULT_RULES


def register_matching_commands(group: AppGroup) -> None:
    @group.command("reconcile")
    @click.option("--dry-run", is_flag=True, help="Show what would be matched and suggested; write nothing.")
    def reconcile_command(dry_run: bool) -> None:
        """Match every pending payment to the open invoices now (the scheduler runs it once per slot)."""
        settings: Any = current_app.config["HUB_SETTINGS"].matching
        result = service.reconcile(new_session, settings, at=datetime.now(UTC), scheduled=False,
                                   dry_run=dry_run, actor=_actor())
        click.echo(json.dumps(result, indent=2, default=str))

    @group.command("reconcile-rule")
    @click.argument("name", type=click.Choice([r.name for r in DEFAULT_RULES]))
    @click.option("--enabled/--disabled", default=None, help="Run the rule, or not.")
    @click.option("--position", type=click.IntRange(0, 1000), help="Its place in the order (lowest first).")
    @click.option("--threshold", type=click.IntRange(0, 1000), help="The score an automatic match needs.")
    def rule_command(name: str, enabled: bool | None, position: int | None, threshold: int | None) -> None:
        """Configure a matching rule."""
        click.echo(json.dumps(service.configure_rule(new_session, name, enabled=enabled, position=position,
                                                     threshold=threshold, actor=_actor())))

    @group.command("reconcile-tolerance")
    @click.argument("currency")
    @click.option("--absolute", required=True, help="At most this amount off, e.g. 5.00")
    @click.option("--percent", required=True, help="And at most this percent of the open amount, e.g. 2")
    @click.option("--account", default="fees", show_default=True, help="Where bank fees are written off")
    def tolerance_command(currency: str, absolute: str, percent: str, account: str) -> None:
        """Set a currency's tolerance (CURRENCY, or * for every other) and its fee account."""
        try:
            amounts = Decimal(absolute), Decimal(percent)
        except InvalidOperation:
            raise click.BadParameter("--absolute and --percent take decimal numbers") from None
        click.echo(json.dumps(service.configure_tolerance(new_session, currency, absolute=amounts[0],
                                                          percent=amounts[1], account=account,
                                                          actor=_actor())))
