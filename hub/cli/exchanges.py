"""`flask hub process|reprocess`: run processing now, or send one exchange through it again."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from hub.cli.actor import cli_actor as _actor
from hub.db import new_session
from hub.exchanges.processing import ProcessingPolicy, process_pending, reprocess

commands = AppGroup("exchanges", help="Processing exchanges.")


@commands.command("reprocess")
@click.argument("exchange_id")
def reprocess_command(exchange_id: str) -> None:
    """Send a failed exchange through processing again."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = reprocess(lambda: new_session(app), exchange_id, actor=_actor(),
                      policy=ProcessingPolicy.from_settings(app.config["HUB_SETTINGS"]))
    click.echo(f"exchange {exchange_id}: {state}")


@commands.command("process")
def process_command() -> None:
    """Process every received exchange now (what the scheduler does continuously)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    done = process_pending(lambda: new_session(app),
                           policy=ProcessingPolicy.from_settings(app.config["HUB_SETTINGS"]))
    click.echo(f"{done} exchanges processed")
