"""`flask hub connector-add|connector-list|connector-token|deliver|deliveries|redeliver`: the ERP
connectors, their tokens, and the push deliveries to them."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from hub.cli.actor import cli_actor as _actor
from hub.cli.errors import table
from hub.db import new_session, transaction
from hub.domain.states import DeliveryState
from hub.erp.connectors import (
    POLL_KEY,
    ConnectorSpec,
    add_connector,
    find_connector,
    issue_connector_token,
    list_connectors,
    parse_option,
)
from hub.erp.delivery import DeliveryPolicy, deliver_due
from hub.erp.outbox import redeliver
from hub.models import ErpConnector, OutboundDelivery

CONNECTOR_KEYS = ("soap", "rest", "file", POLL_KEY)


commands = AppGroup("erp", help="ERP connectors and deliveries.")


@commands.command("connector-add")
@click.argument("name")
@click.option("--key", type=click.Choice(CONNECTOR_KEYS), required=True,
              help="soap, rest or file push to the ERP; poll: the ERP fetches from the hub's outbox.")
@click.option("--endpoint", help="ERP URL (or folder for file); not used by poll connectors.")
@click.option("--option", "options", multiple=True, metavar="K=V",
              help="Connector option, V read as JSON when it parses (wsdl=..., allow_loopback=true).")
@click.option("--doc-type", "doc_types", multiple=True,
              help="Document types it carries (purchase_order, invoice, ...); none: all.")
@click.option("--username")
@click.option("--password", help="env:VARIABLE, or a literal (stored encrypted; needs HUB_SECRET_KEY).")
@click.option("--token", help="Bearer token for the ERP: env:VARIABLE or a literal (encrypted).")
@click.option("--connect-timeout", type=float, default=5.0, show_default=True)
@click.option("--read-timeout", type=float, default=30.0, show_default=True)
def connector_add(name: str, key: str, endpoint: str | None, options: tuple[str, ...],
                  doc_types: tuple[str, ...], username: str | None, password: str | None,
                  token: str | None, connect_timeout: float, read_timeout: float) -> None:
    """Register an ERP connector."""
    spec = ConnectorSpec(name=name, key=key, endpoint=endpoint,
                         options=dict(parse_option(o) for o in options), document_types=doc_types,
                         username=username, password=password, token=token,
                         connect_timeout=connect_timeout, read_timeout=read_timeout)
    secret_key = current_app.config["HUB_SETTINGS"].secret_key
    with new_session() as session, transaction(session):
        row = add_connector(session, spec, actor=_actor(), secret_key=secret_key)
    types = ", ".join(row.document_types) or "all document types"
    click.echo(f"connector {row.id} {row.name} ({row.key}; {types})")


@commands.command("connector-list")
def connector_list() -> None:
    """List connectors (secrets shown only as env references or `encrypted`)."""
    lines = []
    with new_session() as session:
        for row in list_connectors(session):
            settings = row.settings
            secret = next((("encrypted" if str(settings.get(f)).startswith("enc:") else settings.get(f))
                           for f in ("token", "password") if settings.get(f)), "-")
            state = "active" if row.active else "inactive"
            lines.append(f"{row.id}\t{row.name}\t{row.key}\t{settings.get('endpoint')}\t"
                       f"{','.join(row.document_types) or '*'}\t{state}\tsecret:{secret}")
    table(("id", "name", "key", "endpoint", "document types", "state", "secret"), lines)


@commands.command("connector-token")
@click.argument("connector")
@click.option("--label", default="")
def connector_token(connector: str, label: str) -> None:
    """Issue a token the ERP uses to poll and post; it is the last line, shown only once."""
    with new_session() as session, transaction(session):
        row = find_connector(session, connector)
        cred, secret = issue_connector_token(session, row, actor=_actor(), label=label)
    click.echo(f"token {cred.id} ({cred.prefix}...) for connector {row.name}; shown only once:")
    click.echo(secret)


@commands.command("deliver")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
def deliver_command(limit: int) -> None:
    """Deliver every due document now (what the scheduler does continuously)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    settings = app.config["HUB_SETTINGS"]
    tried = deliver_due(lambda: new_session(app), secret_key=settings.secret_key, limit=limit,
                        policy=DeliveryPolicy.from_settings(settings))
    click.echo(f"{tried} deliveries attempted")


@commands.command("deliveries")
@click.option("--state", type=click.Choice([state.value for state in DeliveryState]))
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
def deliveries_command(state: str | None, limit: int) -> None:
    """List push deliveries, newest first, with their last error."""
    with new_session() as session:
        stmt = (select(OutboundDelivery, ErpConnector.name)
                .join(ErpConnector, ErpConnector.id == OutboundDelivery.connector_id)
                .order_by(OutboundDelivery.created_at.desc()).limit(limit))
        if state:
            stmt = stmt.where(OutboundDelivery.state == state)
        lines = [f"{d.id}\t{name}\t{d.document_id}\t{d.state}\t{d.attempts}\t"
                 f"{(d.last_error or {}).get('message', '')[:120]}" for d, name in session.execute(stmt)]
    table(("id", "connector", "document", "state", "attempts", "last error"), lines)


@commands.command("redeliver")
@click.argument("delivery_id")
def redeliver_command(delivery_id: str) -> None:
    """Put a dead delivery back in the queue."""
    with new_session() as session, transaction(session):
        delivery = redeliver(session, delivery_id, actor=_actor())
    click.echo(f"delivery {delivery.id}: {delivery.state}")
