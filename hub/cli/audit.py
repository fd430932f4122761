"""`flask hub audit-verify`: seal, then check the audit chain and its checkpoints."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from hub.audit.anchor import anchor_of, verify_trail
from hub.db import new_session

commands = AppGroup("audit", help="The audit trail.")


@commands.command("audit-verify")
def audit_verify() -> None:
    """Seal pending audit events, check the chain with the audit key and against its checkpoints."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    verdict = verify_trail(lambda: new_session(app), anchor_of(app))
    for note in verdict.notes:
        click.echo(f"note: {note}", err=True)
    if not verdict.findings:
        click.echo(f"audit trail intact: {verdict.checked} events verified, "
                   f"{verdict.checkpoints} checkpoints agree")
        return
    for finding in verdict.findings:
        click.echo(finding, err=True)
    sys.exit(1)
