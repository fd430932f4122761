"""Invoicing: the companies the hub invoices for, invoices and credit notes issued with EN 16931 figures,
numbered without gaps, validated and queued for the buyer, and followed until paid."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Mount invoicing's API."""
    from hub.invoicing import api

    app.register_blueprint(api.bp)
