"""`flask hub company-add` and `flask hub company-list`: the companies the hub invoices for."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from hub.cli.actor import cli_actor
from hub.cli.errors import table
from hub.db import new_session, transaction
from hub.invoicing import companies
from hub.partners.models import Company

_actor = cli_actor


def register_invoicing_commands(group: AppGroup) -> None:
    @group.command("company-add")
    @click.argument("name")
    @click.option("--country", required=True, help="ISO 3166-1 alpha-2 code")
    @click.option("--id", "ids", multiple=True, help="SCHEME:VALUE (gln, vat, cnpj, duns, edi); repeatable")
    @click.option("--street")
    @click.option("--city")
    @click.option("--postal-code")
    @click.option("--iban")
    @click.option("--bic")
    @click.option("--pix-key")
    @click.option("--payment-days", type=int, default=30, show_default=True)
    @click.option("--invoice-prefix", default="INV", show_default=True)
    def company_add(name: str, country: str, ids: tuple[str, ...], street: str | None, city: str | None,
                    postal_code: str | None, iban: str | None, bic: str | None, pix_key: str | None,
                    payment_days: int, invoice_prefix: str) -> None:
        """Register a company that issues invoices (identifiers and IBAN are checked)."""
        data = {"name": name, "country": country, "ids": list(ids), "street": street, "city": city,
                "postal_code": postal_code, "iban": iban, "bic": bic, "pix_key": pix_key,
                "payment_days": payment_days, "invoice_prefix": invoice_prefix}
        with new_session() as session, transaction(session):
            company = companies.add_company(session, data, actor=_actor())
        click.echo(f"company {company.id}: {company.name}")

    @group.command("company-list")
    def company_list() -> None:
        """The companies with their identifiers."""
        with new_session() as session:
            rows = [f"{c.id}\t{c.name}\t{c.country}\t"
                    + ", ".join(f"{i['scheme']}:{i['value']}" for i in c.identifiers) + f"\t{c.iban or ''}"
                    for c in session.scalars(select(Company).order_by(Company.id))]
        table(("id", "name", "country", "identifiers", "iban"), rows)
