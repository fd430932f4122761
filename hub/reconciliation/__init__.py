"""Reconciliation: bank statements, Pix exports and remittance advices imported, and their payments
matched to the invoices the hub issued, every match with its evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register_matching(app: Flask) -> None:
    """Mount matching's API (payments, matches, exceptions, runs)."""
    from hub.reconciliation import api

    app.register_blueprint(api.bp)
