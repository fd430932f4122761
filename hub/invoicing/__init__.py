"""Invoicing: the companies the hub invoices for, invoices and credit notes issued with EN 16931 figures,
numbered without gaps, validated and queued for the buyer, and followed until paid."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Mount invoicing's API; follow invoices' exchanges as they are sent and acknowledged."""
    from hub.erp.service import register_soap_service
    from hub.exchanges.service import on_acknowledged, on_sent
    from hub.invoicing import api, erp_api, soap, tracking

    register_soap_service(soap.InvoicingV2Service)  # served at /soap beside the outbox service
    app.register_blueprint(api.bp)
    app.register_blueprint(erp_api.bp)
    on_sent(tracking.exchange_sent)
    on_acknowledged(tracking.acknowledged)
