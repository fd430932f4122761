"""`flask hub ...`: set up the database, partners, keys, users; verify the audit trail; reprocess."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import select

from hub.audit.anchor import anchor_of, verify_trail
from hub.cli_actor import cli_actor
from hub.cli_errors import HubGroup, table
from hub.db import get_engine, new_session, transaction
from hub.exchanges.processing import process_pending, reprocess
from hub.migrate import upgrade
from hub.models import ApiCredential, Partner
from hub.partners import credentials
from hub.partners import service as partners

hub_cli = HubGroup("hub", help="Administer the EDI hub.")


_actor = cli_actor


@hub_cli.command("init")
def init_command() -> None:
    """Create the database or upgrade it to the latest schema."""
    upgrade(get_engine())
    click.echo(f"database ready: {get_engine().url.render_as_string(hide_password=True)}")


@hub_cli.command("partner-add")
@click.argument("name")
@click.option("--edi-id", required=True, help="EDI identifier as in UNB S002/S003 (e.g. a GLN).")
@click.option("--qualifier", default="", help="Identification code qualifier, e.g. 14 for GLN, ZZ.")
@click.option("--role", "roles", multiple=True, type=click.Choice(partners.PARTNER_ROLES),
              default=("buyer",), show_default=True)
@click.option("--syntax", type=click.Choice(partners.SYNTAXES), default="edifact",
              show_default=True, help="Preferred syntax for what the hub sends this partner.")
@click.option("--id", "extra_ids", multiple=True, metavar="SCHEME:VALUE",
              help="Further identifiers: gln:..., cnpj:..., vat:...")
def partner_add(name: str, edi_id: str, qualifier: str, roles: tuple[str, ...], syntax: str,
                extra_ids: tuple[str, ...]) -> None:
    """Register a trading partner."""
    pairs = [tuple(x.split(":", 1)) for x in extra_ids]
    if any(len(p) != 2 for p in pairs):
        raise click.BadParameter("use SCHEME:VALUE", param_hint="--id")
    with new_session() as session:
        partner = partners.add_partner(session, name, edi_id=edi_id, qualifier=qualifier,
                                       roles=list(roles), syntax=syntax, actor=_actor(),
                                       extra_ids=[(p[0], p[1]) for p in pairs])
        session.commit()
        click.echo(f"partner {partner.id} {partner.name} ({', '.join(roles)}; {syntax})")


@hub_cli.command("partner-id-add")
@click.argument("partner")
@click.argument("identifier", metavar="SCHEME:VALUE")
def partner_id_add(partner: str, identifier: str) -> None:
    """Register one more identifier (gln:..., vat:..., cnpj:...) for a partner (name or id)."""
    scheme, sep, value = identifier.partition(":")
    if not sep:
        raise click.BadParameter("use SCHEME:VALUE", param_hint="IDENTIFIER")
    with new_session() as session:
        row = partners.find_partner(session, partner)
        ident = partners.add_identifier(session, row, scheme, value, actor=_actor())
        session.commit()
        click.echo(f"partner {row.id} {row.name}: {ident.scheme}:{ident.value} added")


@hub_cli.command("partner-list")
def partner_list() -> None:
    """List partners with their identifiers."""
    with new_session() as session:
        rows = []
        for p in session.scalars(select(Partner).order_by(Partner.id)):
            ids = ", ".join(f"{i.scheme}:{i.value}" + (f":{i.qualifier}" if i.qualifier else "")
                            for i in p.identifiers)
            rows.append(f"{p.id}\t{p.name}\t{','.join(p.roles)}\t{p.syntax}\t{ids}")
    table(("id", "name", "roles", "syntax", "identifiers"), rows)


@hub_cli.command("check-identifiers")
def check_identifiers() -> None:
    """Report the partners' identifiers and payee accounts whose check digits are wrong (entered
    before they were checked); exit status 1 when there is any."""
    with new_session() as session:
        found = partners.invalid_identifiers(session)
    table(("partner", "name", "setting", "problem"), ["\t".join(map(str, row)) for row in found])
    click.echo(f"{len(found)} invalid identifiers" if found else "every identifier checks out", err=True)
    if found:
        sys.exit(1)


@hub_cli.command("partner-profile")
@click.argument("partner")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="A profile setting; VALUE is JSON (true, 3, {\"UN\": \"C62\"}) or plain text; "
                   "an empty VALUE removes the setting.")
def partner_profile(partner: str, settings: tuple[str, ...]) -> None:
    """Show or change a partner's profile (code translations, tolerances, acknowledgements)."""
    changes: dict[str, Any] = {}
    for item in settings:
        key, sep, raw = item.partition("=")
        if not sep:
            raise click.BadParameter("use KEY=VALUE", param_hint="--set")
        changes[key.strip()] = _json_or_text(raw) if raw else None
    with new_session() as session:
        owner = partners.find_partner(session, partner)
        profile = partners.update_profile(session, owner, changes, actor=_actor()) if changes \
            else owner.profile
        session.commit()
    shown = {k: v for k, v in (profile or {}).items() if not k.startswith("_")}
    click.echo(json.dumps(shown, indent=2, sort_keys=True))


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


@hub_cli.command("key-add")
@click.argument("partner")
@click.option("--label", default="")
def key_add(partner: str, label: str) -> None:
    """Issue an API key for PARTNER (name or id); the key is the last line, shown only once."""
    with new_session() as session:
        owner = partners.find_partner(session, partner)
        cred, secret = credentials.issue_partner_key(session, owner, actor=_actor(), label=label)
        session.commit()
        click.echo(f"key {cred.id} ({cred.prefix}...) for partner {owner.name}; store it now, "
                   "it is not shown again:")
        click.echo(secret)


@hub_cli.command("key-list")
@click.argument("partner", required=False)
def key_list(partner: str | None) -> None:
    """List keys and tokens (prefix only), with their state."""
    with new_session() as session:
        stmt = select(ApiCredential).order_by(ApiCredential.id)
        if partner:
            stmt = stmt.where(ApiCredential.partner_id == partners.find_partner(session, partner).id)
        rows = []
        for c in session.scalars(stmt):
            owner = f"partner {c.partner_id}" if c.partner_id else f"user {c.user_id}"
            state = f"revoked {c.revoked_at.isoformat()}" if c.revoked_at else "active"
            rows.append(f"{c.id}\t{c.prefix}...\t{owner}\t{state}\t{c.label}")
    table(("id", "prefix", "owner", "state", "label"), rows)


@hub_cli.command("key-revoke")
@click.argument("key")
def key_revoke(key: str) -> None:
    """Revoke a key or token by id or prefix (see key-list)."""
    with new_session() as session:
        cred = credentials.revoke(session, key, actor=_actor())
        session.commit()
        click.echo(f"key {cred.id} ({cred.prefix}...) revoked")


@hub_cli.command("user-add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "operator", "auditor"]), required=True)
def user_add(username: str, role: str) -> None:
    """Create an admin user with a role (admin, operator, auditor); prints their enrolment link."""
    from hub.admin import accounts
    with new_session() as session:
        user, token = accounts.create_user(session, username, role, actor=_actor())
        click.echo(f"user {user.id} {user.username} ({user.role}); enrolment link, valid 72 hours, once:")
        click.echo(_enrolment_link(token))


@hub_cli.command("user-enrol")
@click.argument("user")
def user_enrol(user: str) -> None:
    """Issue a new enrolment link for USER (a lost authenticator); the old password and codes stop working."""
    from hub.admin import accounts
    with new_session() as session:
        owner = partners.find_user(session, user)
        owner.password_hash = owner.totp_secret = None
        owner.recovery_codes = None
        token = accounts.issue_enrolment(session, owner, actor=_actor())
        click.echo(f"enrolment link for {owner.username}, valid 72 hours, once:")
        click.echo(_enrolment_link(token))


def _enrolment_link(token: str) -> str:
    base = os.environ.get("HUB_PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")
    return f"{base}/admin/enrol/{token}"


@hub_cli.command("token-add")
@click.argument("user")
@click.option("--label", default="")
def token_add(user: str, label: str) -> None:
    """Issue a personal API token for USER (name or id); the token is the last line."""
    with new_session() as session:
        owner = partners.find_user(session, user)
        cred, secret = credentials.issue_user_token(session, owner, actor=_actor(), label=label)
        session.commit()
        click.echo(f"token {cred.id} ({cred.prefix}...) for {owner.username}; shown only once:")
        click.echo(secret)


@hub_cli.command("audit-verify")
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


@hub_cli.command("reprocess")
@click.argument("exchange_id")
def reprocess_command(exchange_id: str) -> None:
    """Send a failed exchange through processing again."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    state = reprocess(lambda: new_session(app), exchange_id, actor=_actor())
    click.echo(f"exchange {exchange_id}: {state}")


@hub_cli.command("process")
def process_command() -> None:
    """Process every received exchange now (what the scheduler does continuously)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    done = process_pending(lambda: new_session(app))
    click.echo(f"{done} exchanges processed")


@hub_cli.command("demo")
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


def register_cli(app: Flask) -> None:
    from hub.cli_outbox import register_outbox_commands
    from hub.procurement.cli import register_procurement_commands
    register_outbox_commands(hub_cli)
    register_procurement_commands(hub_cli)
    from hub.invoicing.cli import register_invoicing_commands
    register_invoicing_commands(hub_cli)
    from hub.retention.cli import register_retention_commands
    register_retention_commands(hub_cli)
    from hub.routing.cli import register_routing_commands
    register_routing_commands(hub_cli)
    from hub.reconciliation.match_cli import register_matching_commands
    register_matching_commands(hub_cli)
    from hub.reconciliation.cli import register_statement_commands
    register_statement_commands(hub_cli)
    app.cli.add_command(hub_cli)
