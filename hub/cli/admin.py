"""`flask hub user-add|user-enrol`: the admin pages' users and their one-time enrolment links."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from hub.cli.actor import cli_actor as _actor
from hub.db import new_session, transaction
from hub.partners import service as partners

commands = AppGroup("admin", help="Admin users.")


@commands.command("user-add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "operator", "auditor"]), required=True)
def user_add(username: str, role: str) -> None:
    """Create an admin user with a role (admin, operator, auditor); prints their enrolment link."""
    from hub.admin import accounts
    with new_session() as session, transaction(session):
        user, token = accounts.create_user(session, username, role, actor=_actor())
    click.echo(f"user {user.id} {user.username} ({user.role}); enrolment link, valid 72 hours, once:")
    click.echo(_enrolment_link(token))


@commands.command("user-enrol")
@click.argument("user")
def user_enrol(user: str) -> None:
    """Issue a new enrolment link for USER (a lost authenticator); the old password and codes stop working."""
    from hub.admin import accounts
    with new_session() as session, transaction(session):
        owner = partners.find_user(session, user)
        owner.password_hash = owner.totp_secret = None
        owner.recovery_codes = None
        token = accounts.issue_enrolment(session, owner, actor=_actor())
    click.echo(f"enrolment link for {owner.username}, valid 72 hours, once:")
    click.echo(_enrolment_link(token))


def _enrolment_link(token: str) -> str:
    base = current_app.config["HUB_SETTINGS"].public_url.rstrip("/")
    return f"{base}/admin/enrol/{token}"
