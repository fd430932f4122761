"""`flask hub partner-*|check-identifiers|key-*|token-add`: trading partners, their identifiers and
profiles, and the API keys and tokens of partners and users."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import select

from hub.cli.actor import cli_actor as _actor
from hub.cli.errors import table
from hub.db import new_session, transaction
from hub.partners import credentials
from hub.partners import service as partners
from hub.partners.models import ApiCredential, Partner

commands = AppGroup("partners", help="Trading partners, their keys and users' tokens.")


@commands.command("partner-add")
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
    with new_session() as session, transaction(session):
        partner = partners.add_partner(session, name, edi_id=edi_id, qualifier=qualifier,
                                       roles=list(roles), syntax=syntax, actor=_actor(),
                                       extra_ids=[(p[0], p[1]) for p in pairs])
    click.echo(f"partner {partner.id} {partner.name} ({', '.join(roles)}; {syntax})")


@commands.command("partner-id-add")
@click.argument("partner")
@click.argument("identifier", metavar="SCHEME:VALUE")
def partner_id_add(partner: str, identifier: str) -> None:
    """Register one more identifier (gln:..., vat:..., cnpj:...) for a partner (name or id)."""
    scheme, sep, value = identifier.partition(":")
    if not sep:
        raise click.BadParameter("use SCHEME:VALUE", param_hint="IDENTIFIER")
    with new_session() as session, transaction(session):
        row = partners.find_partner(session, partner)
        ident = partners.add_identifier(session, row, scheme, value, actor=_actor())
    click.echo(f"partner {row.id} {row.name}: {ident.scheme}:{ident.value} added")


@commands.command("partner-list")
def partner_list() -> None:
    """List partners with their identifiers."""
    with new_session() as session:
        rows = []
        for p in session.scalars(select(Partner).order_by(Partner.id)):
            ids = ", ".join(f"{i.scheme}:{i.value}" + (f":{i.qualifier}" if i.qualifier else "")
                            for i in p.identifiers)
            rows.append(f"{p.id}\t{p.name}\t{','.join(p.roles)}\t{p.syntax}\t{ids}")
    table(("id", "name", "roles", "syntax", "identifiers"), rows)


@commands.command("check-identifiers")
def check_identifiers() -> None:
    """Report the partners' identifiers and payee accounts whose check digits are wrong (entered
    before they were checked); exit status 1 when there is any."""
    with new_session() as session:
        found = partners.invalid_identifiers(session)
    table(("partner", "name", "setting", "problem"), ["\t".join(map(str, row)) for row in found])
    click.echo(f"{len(found)} invalid identifiers" if found else "every identifier checks out", err=True)
    if found:
        sys.exit(1)


@commands.command("partner-profile")
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
    with new_session() as session, transaction(session):
        owner = partners.find_partner(session, partner)
        profile = partners.update_profile(session, owner, changes, actor=_actor()) if changes \
            else owner.profile
    shown = {k: v for k, v in (profile or {}).items() if not k.startswith("_")}
    click.echo(json.dumps(shown, indent=2, sort_keys=True))


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


@commands.command("key-add")
@click.argument("partner")
@click.option("--label", default="")
def key_add(partner: str, label: str) -> None:
    """Issue an API key for PARTNER (name or id); the key is the last line, shown only once."""
    with new_session() as session, transaction(session):
        owner = partners.find_partner(session, partner)
        cred, secret = credentials.issue_partner_key(session, owner, actor=_actor(), label=label)
    click.echo(f"key {cred.id} ({cred.prefix}...) for partner {owner.name}; store it now, "
               "it is not shown again:")
    click.echo(secret)


@commands.command("key-list")
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


@commands.command("key-revoke")
@click.argument("key")
def key_revoke(key: str) -> None:
    """Revoke a key or token by id or prefix (see key-list)."""
    with new_session() as session, transaction(session):
        cred = credentials.revoke(session, key, actor=_actor())
    click.echo(f"key {cred.id} ({cred.prefix}...) revoked")


@commands.command("token-add")
@click.argument("user")
@click.option("--label", default="")
def token_add(user: str, label: str) -> None:
    """Issue a personal API token for USER (name or id); the token is the last line."""
    with new_session() as session, transaction(session):
        owner = partners.find_user(session, user)
        cred, secret = credentials.issue_user_token(session, owner, actor=_actor(), label=label)
    click.echo(f"token {cred.id} ({cred.prefix}...) for {owner.username}; shown only once:")
    click.echo(secret)
