"""Server-rendered admin pages: sign-in with a second factor, dashboard, exchanges, audit, approvals.

Imports nothing from Flask at module level: `hub.models` gathers this package's table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register(app: Flask) -> None:
    """Mount the pages and their static files, with sessions, CSRF checks and idle expiry."""
    from hub.admin import (
        audit_pages,
        auth_pages,
        connector_pages,
        delivery_pages,
        exchange_pages,
        home,
        i18n,
        order_pages,
        partner_pages,
        reconciliation_pages,
        security,
    )
    from hub.admin.blueprint import make_blueprint

    security.init_app(app)
    i18n.init_app(app)
    bp, nav = make_blueprint()
    for module in (auth_pages, home, exchange_pages, delivery_pages, audit_pages, order_pages,
                   reconciliation_pages, partner_pages, connector_pages):
        module.attach(bp, nav)
    app.register_blueprint(bp)
