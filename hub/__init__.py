"""The procurement and EDI hub: `create_app()` builds the Flask application.

Flask is imported when an app is built, not with the package: the mapping worker processes
(`hub.ingest`) import `hub.domain` and the mappings only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub.config import Settings, default_database_url

if TYPE_CHECKING:
    from flask import Flask


def create_app(settings: Settings | None = None, *, start_scheduler: bool | None = None) -> Flask:
    """Build the app; nothing connects at import. The scheduler starts when settings ask for it."""
    from flask import Flask

    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    settings = settings or Settings.from_env()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not settings.database_url:
        settings.database_url = default_database_url(Path(app.instance_path))
    app.config.update(HUB_SETTINGS=settings, MAX_CONTENT_LENGTH=settings.max_upload_bytes,
                      TESTING=settings.testing, JSON_SORT_KEYS=False)
    from hub.observability.logs import configure
    configure(settings.log_level, settings.log_format)

    from hub import db
    from hub.audit.anchor import build_anchor
    app.extensions["hub.audit_anchor"] = build_anchor(settings, Path(app.instance_path))
    db.init_app(app, settings.database_url)
    _register_blueprints(app)
    from hub.cli import register_cli
    register_cli(app)
    if settings.demo:
        from hub.demo import announce_after_banner
        announce_after_banner(app, settings.public_url)
    if start_scheduler if start_scheduler is not None else settings.scheduler_enabled:
        from hub.scheduler import start_scheduler as start
        start(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from hub.api import health, openapi
    from hub.api.errors import register_error_handlers
    from hub.audit import api as audit
    from hub.exchanges import api as exchanges
    from hub.exchanges import documents_api as documents
    from hub.exchanges import mailbox_api as mailbox

    for bp in (exchanges.bp, documents.bp, audit.bp, health.bp, mailbox.bp, openapi.bp):
        app.register_blueprint(bp)
    from hub.api.limits import BodyLimit
    from hub.erp import api as outbox
    from hub.erp import soap
    _fill_registries()
    app.register_blueprint(outbox.bp)
    app.register_blueprint(outbox.erp_bp)
    from hub import procurement
    procurement.register(app)
    from hub import invoicing
    invoicing.register(app)
    from hub import routing
    routing.register(app)
    from hub import reconciliation
    reconciliation.register_matching(app)
    reconciliation.register_imports(app)
    from hub import admin
    admin.register(app)
    register_error_handlers(app)
    app.wsgi_app = BodyLimit(app.wsgi_app, app.config["HUB_SETTINGS"].max_upload_bytes)  # type: ignore[method-assign]
    soap.mount(app)  # spyne at /soap, WSDL at /soap?wsdl, outside the Flask routes


def _fill_registries() -> None:
    """The lower layers dispatch upward only through registries, filled here: the web edge's bearer
    tokens (partners' keys and staff tokens, ERP connectors' tokens), what ERPs post (stock levels,
    invoices to issue: exchanges' ERP inbound use cases) and what the metrics read (queues, exchanges)."""
    from hub.api import auth
    from hub.erp import connectors, handlers
    from hub.erp import queries as erp_queries
    from hub.exchanges import erp_inbound
    from hub.exchanges import queries as exchange_queries
    from hub.observability import metrics
    from hub.partners import credentials

    auth.TOKEN_CHECKS.update(principal=credentials.authenticate, connector=connectors.authenticate_connector)
    handlers.register(parse_stock_levels=erp_inbound.parse_stock_levels,
                      record_stock_levels=erp_inbound.record_stock_levels,
                      issue_invoices=erp_inbound.issue_invoices)
    metrics.BACKLOGS.update(inbound=exchange_queries.inbound_backlog, deliveries=erp_queries.delivery_backlog,
                            mailbox=exchange_queries.mailbox_backlog, outbox=erp_queries.outbox_backlog)
    metrics.EXCHANGE_COUNTS[:] = [exchange_queries.exchange_counts]


__all__: list[Any] = ["create_app"]
