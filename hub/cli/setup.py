"""`flask hub init|demo`: create or upgrade the database; prepare the demo partner and its key."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from hub.cli.actor import cli_actor as _actor
from hub.db import get_engine, new_session, transaction
from hub.migrate import upgrade

commands = AppGroup("setup", help="Setting the hub up.")


@commands.command("init")
def init_command() -> None:
    """Create the database or upgrade it to the latest schema."""
    upgrade(get_engine())
    click.echo(f"database ready: {get_engine().url.render_as_string(hide_password=True)}")


@commands.command("demo")
@click.option("--url", default="http://127.0.0.1:5000", help="Where the hub will listen.")
@click.option("--quiet", is_flag=True, help="Prepare the key, print nothing (make run prints it later).")
def demo(url: str, quiet: bool) -> None:
    """Make sure the demo partner and its key exist (instance/demo.key, reused while it is active)
    and print the key last, with a curl example."""
    from hub import demo as demo_partner
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with new_session() as session, transaction(session):
        secret, issued = demo_partner.prepare(session, demo_partner.key_path(app), actor=_actor())
    if not quiet:
        click.echo(("A new demo key." if issued else "The demo key is still active.") + "\n"
                   + demo_partner.announcement(url, secret))
