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
def register_imports(app: Flask) -> None:
    """Mount the statement routes, turn accepted remittance advices into remittance records, and let
    `flask hub reprocess` read a failed statement file again."""
    from hub.exchanges.service import on_accepted, register_translator
    from hub.reconciliation import remittances, statements_api

    app.register_blueprint(statements_api.bp)
    on_accepted(remittances.on_accepted)
    register_translator("statement")(statements_api.translate_again)
