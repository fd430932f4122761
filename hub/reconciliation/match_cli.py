"""`flask hub reconcile [--dry-run]`: a matching run from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from hub.cli import _actor
from hub.db import new_session
from hub.reconciliation import service


def register_matching_commands(group: AppGroup) -> None:
    @group.command("reconcile")
    @click.option("--dry-run", is_flag=True, help="Show what would be matched and suggested; write nothing.")
    def reconcile_command(dry_run: bool) -> None:
        """Match every pending payment to the open invoices now (the scheduler runs it once per slot)."""
        settings: Any = current_app.config["HUB_SETTINGS"].matching
        result = service.reconcile(new_session, settings, at=datetime.now(UTC), scheduled=False,
                                   dry_run=dry_run, actor=_actor())
        click.echo(json.dumps(result, indent=2, default=str))
