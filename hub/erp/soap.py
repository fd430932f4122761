"""SOAP 1.1 (spyne): the hub's outbox for polling ERPs and their inbound posts, WSDL at `/soap?wsdl`.

Operations mirror the REST API: FetchBatch(Cursor, Limit), Acknowledge(Ids), SubmitStockLevels(Levels),
SubmitInvoices(Invoices) (the first invoice format), and invoicing's IssueInvoicesV2(Invoices)
(`hub.invoicing.soap`, the second, issued for real). The ERP sends its connector token as
`Authorization: Bearer <token>`.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from hub.api.params import MAX_INT
from hub.db import new_session, transaction
from hub.domain.errors import HubError
from hub.erp.handlers import SOAP_SERVICES, issue_invoices, parse_stock_levels, record_stock_levels
from hub.erp.outbox import acknowledge, fetch_batch
from hub.erp.soap_edge import CONNECTOR_KEY, DOCUMENT_KEY, SoapEdge
from hub.models import ErpConnector

with warnings.catch_warnings():
    # spyne 2.14 vendors an old `six` whose meta-path importer trips an ImportWarning on Python 3.11
    warnings.simplefilter("ignore", ImportWarning)
    from spyne import (
        Application,
        Array,
        Boolean,
        ByteArray,
        ComplexModel,
        Date,
        DateTime,
        Decimal,
        Fault,
        Integer,
        ServiceBase,
        Unicode,
        rpc,
    )
    from spyne.protocol.soap import Soap11
    from spyne.server.wsgi import WsgiApplication

log = logging.getLogger(__name__)

NAMESPACE = "urn:ponte:hub:outbox"
MAX_BATCH = 500


class OutboxDocument(ComplexModel):
    __namespace__ = NAMESPACE
    Id = Unicode
    Type = Unicode
    Number = Unicode
    Cursor = Integer
    Canonical = Unicode  # the canonical JSON text
    Rendered = ByteArray  # the syntax bytes, when the hub rendered the document for this ERP
    ContentType = Unicode


class Batch(ComplexModel):
    __namespace__ = NAMESPACE
    Documents = Array(OutboxDocument)
    NextCursor = Integer


class AckResult(ComplexModel):
    __namespace__ = NAMESPACE
    Acknowledged = Array(Unicode)
    Unknown = Array(Unicode)


class StockLevelIn(ComplexModel):
    __namespace__ = NAMESPACE
    Item = Unicode
    Location = Unicode
    Quantity = Decimal
    Unit = Unicode
    AsOf = DateTime


class StockResult(ComplexModel):
    __namespace__ = NAMESPACE
    Received = Integer
    Updated = Integer
    Unchanged = Integer
    Stale = Integer


class InvoiceLineIn(ComplexModel):
    __namespace__ = NAMESPACE
    Number = Unicode
    Gtin = Unicode
    Item = Unicode
    Description = Unicode
    Quantity = Decimal
    Unit = Unicode
    Price = Decimal
    Amount = Decimal


class InvoiceToIssue(ComplexModel):
    __namespace__ = NAMESPACE
    Id = Unicode
    Number = Unicode
    OrderNumber = Unicode
    Customer = Unicode
    Amount = Decimal
    Currency = Unicode
    Issued = Date
    DueDate = Date
    Lines = Array(InvoiceLineIn)


class IssuedInvoice(ComplexModel):
    __namespace__ = NAMESPACE
    Id = Unicode
    DocumentId = Unicode
    ExchangeId = Unicode
    Duplicate = Boolean


# flask_app_of, with_connector and snake_fields are public: the SOAP services that capabilities
# register (hub.invoicing.soap) build their operations with them
def flask_app_of(ctx: Any) -> Flask:
    """The hub's Flask app a SOAP request runs in."""
    app: Flask = ctx.app.config["flask_app"]
    return app


def with_connector(ctx: Any, work: Callable[[Session, ErpConnector], Any]) -> Any:
    """Run `work` for the connector the edge authenticated, in one transaction; errors become faults."""
    connector_id = ctx.transport.req_env.get(CONNECTOR_KEY)
    with new_session(flask_app_of(ctx)) as session:
        connector = session.get(ErpConnector, connector_id) if connector_id is not None else None
        if connector is None:
            raise Fault(faultcode="Client.Unauthorized",
                        faultstring="send the connector token as 'Authorization: Bearer <token>'")
        try:
            with transaction(session):
                return work(session, connector)
        except HubError as exc:
            side = "Client" if exc.http_status < 500 else "Server"
            raise Fault(faultcode=f"{side}.{exc.code}", faultstring=exc.message) from exc
        except Exception as exc:
            # spyne's own logging is off (it logs whole requests): the trace is logged here, bodiless
            log.exception("SOAP operation failed")
            raise Fault(faultcode="Server", faultstring="the hub hit an unexpected error; it is logged"
                        ) from exc


def snake_fields(record: Any, names: dict[str, str]) -> dict[str, Any]:
    """A spyne record's CamelCase fields as the snake_case dict the REST body would be."""
    return {snake: getattr(record, camel, None) for camel, snake in names.items()}


STOCK_FIELDS = {"Item": "item", "Location": "location", "Quantity": "quantity", "Unit": "unit",
                "AsOf": "as_of"}
INVOICE_FIELDS = {"Id": "id", "Number": "number", "OrderNumber": "order_number", "Customer": "customer",
                  "Amount": "amount", "Currency": "currency", "Issued": "issued", "DueDate": "due_date"}
LINE_FIELDS = {"Number": "number", "Gtin": "gtin", "Item": "item", "Description": "description",
               "Quantity": "quantity", "Unit": "unit", "Price": "price", "Amount": "amount"}


def _invoice_record(inv: Any) -> dict[str, Any]:
    record = snake_fields(inv, INVOICE_FIELDS)
    record["lines"] = [snake_fields(line, LINE_FIELDS) for line in (inv.Lines or [])]
    return record


class HubOutboxService(ServiceBase):
    """What a polling ERP calls; element names are the WSDL's."""

    @rpc(Integer, Integer, _returns=Batch)
    def FetchBatch(ctx, Cursor, Limit):
        cursor, limit = Cursor or 0, Limit or 50
        if not 0 <= cursor <= MAX_INT or not 1 <= limit <= MAX_BATCH:
            raise Fault(faultcode="Client.BadParameter",
                        faultstring=f"Cursor must be between 0 and {MAX_INT} and Limit between 1 "
                                    f"and {MAX_BATCH}")
        from hub.erp.api import policy_of

        visibility = timedelta(seconds=policy_of(flask_app_of(ctx)).visibility_timeout)
        settings = flask_app_of(ctx).config["HUB_SETTINGS"]

        def work(session: Session, connector: ErpConnector) -> Batch:
            batch = fetch_batch(session, connector, cursor=cursor, limit=limit, visibility=visibility,
                                actor=f"connector:{connector.name}", settings=settings)
            docs = [OutboxDocument(Id=d.id, Type=d.doc_type, Number=d.number, Cursor=e.seq,
                                   Canonical=json.dumps(d.canonical, ensure_ascii=False),
                                   Rendered=[e.payload] if e.payload else None,
                                   ContentType=e.content_type) for e, d in batch.items]
            return Batch(Documents=docs, NextCursor=batch.next_cursor)
        return with_connector(ctx, work)

    @rpc(Array(Unicode), _returns=AckResult)
    def Acknowledge(ctx, Ids):
        ids = [i for i in (Ids or []) if i]
        if len(ids) > MAX_BATCH:
            raise Fault(faultcode="Client.BadParameter", faultstring=f"at most {MAX_BATCH} Ids per call")

        def work(session: Session, connector: ErpConnector) -> AckResult:
            acked, unknown = acknowledge(session, connector, ids, actor=f"connector:{connector.name}")
            return AckResult(Acknowledged=acked, Unknown=unknown)
        return with_connector(ctx, work)

    @rpc(Array(StockLevelIn), _returns=StockResult)
    def SubmitStockLevels(ctx, Levels):
        records = [snake_fields(level, STOCK_FIELDS) for level in (Levels or [])]

        def work(session: Session, connector: ErpConnector) -> StockResult:
            levels = parse_stock_levels(records)
            counts = record_stock_levels(session, levels, connector=connector,
                                         actor=f"connector:{connector.name}")
            return StockResult(Received=len(levels), Updated=counts["updated"],
                               Unchanged=counts["unchanged"], Stale=counts["stale"])
        return with_connector(ctx, work)

    @rpc(Array(InvoiceToIssue), _returns=Array(IssuedInvoice))
    def SubmitInvoices(ctx, Invoices):
        records = [_invoice_record(inv) for inv in (Invoices or [])]

        def work(session: Session, connector: ErpConnector) -> list[IssuedInvoice]:
            issued = issue_invoices(session, records, connector=connector,
                                    actor=f"connector:{connector.name}", raw_format="soap")
            return [IssuedInvoice(Id=i.request_id, DocumentId=i.document_id, ExchangeId=i.exchange_id,
                                  Duplicate=i.duplicate) for i in issued]
        return with_connector(ctx, work)


class SafeSoap11(Soap11):
    """SOAP 1.1 that takes the envelope the edge parsed with hub.xmlsafe instead of parsing it again."""

    def create_in_document(self, ctx: Any, charset: str | None = None) -> None:
        document = ctx.transport.req_env.get(DOCUMENT_KEY)
        if document is None:
            raise Fault(faultcode="Client.NoDocument", faultstring="POST a SOAP envelope")
        ctx.in_document = (document, {})


def soap_wsgi(app: Flask) -> WsgiApplication:
    """The spyne WSGI application bound to the Flask app's database."""
    application = Application([HubOutboxService, *SOAP_SERVICES], tns=NAMESPACE, name="HubOutbox",
                              in_protocol=SafeSoap11(validator="lxml"), out_protocol=Soap11(),
                              config={"flask_app": app})
    # spyne's own cap (2 MiB) would refuse what the edge accepted: the edge's limit is the one
    return WsgiApplication(application, max_content_length=app.config["HUB_SETTINGS"].max_upload_bytes)


def mount(app: Flask) -> None:
    """Serve the SOAP service at /soap (WSDL at /soap?wsdl) beside the Flask routes."""
    # spyne logs whole request bodies (at ERROR for a bad one): the edge and the operations log instead
    logging.getLogger("spyne").setLevel(logging.CRITICAL)
    edge = SoapEdge(app, soap_wsgi(app), app.config["HUB_SETTINGS"].max_upload_bytes)
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {"/soap": edge})  # type: ignore[method-assign]
