"""`flask hub route-add`, `route-list`, `route-remove`: the routing rules; `batches-close`: send the
partners' batches whose window has ended now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from hub.cli.actor import cli_actor
from hub.db import new_session, transaction, utcnow
from hub.routing import batching, service

_actor = cli_actor


def _run(work: Callable[[Session], Any]) -> Any:
    """One command's unit of work; a refusal (HubError) becomes the CLI's one line and exit 2."""
    with new_session() as session, transaction(session):
        return work(session)


def _names(refs: list[dict[str, Any]] | None) -> str:
    return ",".join(str(r["name"] or r["id"]) for r in refs or []) or "-"


def _recipient(to: Any) -> str:
    return to if isinstance(to, str) else _names([to] if to else [])


def register_routing_commands(group: AppGroup) -> None:
    @group.command("route-add")
    @click.option("--from", "source", help="source partner (name or id); default any")
    @click.option("--to", "recipient", help="recipient partner (name or id), or `hub` for documents "
                                            "addressed to the hub itself; default any")
    @click.option("--type", "doc_type", help=f"document type ({', '.join(service.DOC_TYPES)}); "
                                             "default any")
    @click.option("--test", "test", type=click.Choice(["yes", "no", "any"]), default="no",
                  show_default=True, help="test documents (UNB 0035 = 1) too, only, or not")
    @click.option("--connector", "connectors", multiple=True, help="ERP connector; repeatable")
    @click.option("--partner", "partners", multiple=True, help="partner to send it to; repeatable")
    @click.option("--position", type=int, help="order among the rules (default: last)")
    @click.option("--note", help="why the rule exists")
    def route_add(source: str | None, recipient: str | None, doc_type: str | None, test: str,
                  connectors: tuple[str, ...], partners: tuple[str, ...], position: int | None,
                  note: str | None) -> None:
        """Add a routing rule (the first matching rule decides where a document goes)."""
        data = {"from": source, "to": recipient, "type": doc_type, "test": test,
                "connectors": list(connectors), "partners": list(partners), "position": position,
                "note": note}
        shown = _run(lambda s: service.rule_json(s, service.add_rule(s, data, actor=_actor())))
        click.echo(f"rule {shown['id']} at position {shown['position']}")

    @group.command("route-list")
    def route_list() -> None:
        """The routing rules in the order they are tried."""
        click.echo("id\tposition\tfrom\tto\ttype\ttest\tconnectors\tpartners\tnote")
        with new_session() as session:
            for row in service.list_rules(session):
                r = service.rule_json(session, row)
                click.echo(f"{r['id']}\t{r['position']}\t{_names([r['from']] if r['from'] else [])}"
                           f"\t{_recipient(r['to'])}\t{r['type'] or 'any'}"
                           f"\t{r['test']}\t{_names(r['connectors'])}\t{_names(r['partners'])}"
                           f"\t{r['note'] or ''}")

    @group.command("route-remove")
    @click.argument("rule_id", type=int)
    def route_remove(rule_id: int) -> None:
        """Remove a routing rule."""
        _run(lambda s: service.remove_rule(s, rule_id, actor=_actor()))
        click.echo(f"rule {rule_id} removed")

    @group.command("batches-close")
    def batches_close() -> None:
        """Send every partner batch whose window has ended now (the scheduler does this too)."""
        closed = _run(lambda s: batching.close_due(s, utcnow(), actor=_actor()))
        click.echo("batch\texchange\tmessages")
        for item in closed:
            click.echo(f"{item['batch_id']}\t{item['exchange_id']}\t{item['messages']}")
