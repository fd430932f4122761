"""The test ERP's SOAP 1.1 service (spyne): receives documents, serves stock levels and invoices to issue.

Its WSDL is saved in `fixtures/erp/test_erp.wsdl`; regenerate it with
`.venv/bin/python -m tests.support.soap_erp > fixtures/erp/test_erp.wsdl`.
"""

from __future__ import annotations

import json
import sys
import warnings
from datetime import datetime
from decimal import Decimal as D
from typing import Any

import requests
from lxml import etree

with warnings.catch_warnings():
    # spyne 2.14 vendors an old `six` whose meta-path importer trips Python 3.11's ImportWarning,
    # which the suite's `-W error` filter would turn into a collection error.
    warnings.simplefilter("ignore", ImportWarning)
    from spyne import (
        Application,
        Array,
        Boolean,
        ByteArray,
        ComplexModel,
        DateTime,
        Decimal,
        Fault,
        ServiceBase,
        Unicode,
        rpc,
    )
    from spyne.protocol.soap import Soap11
    from spyne.server.wsgi import WsgiApplication

from tests.support.erp_state import (
    ControlMiddleware,
    Environ,
    Mode,
    TestErp,
    WsgiApp,
    echoed_credentials,
)

NAMESPACE = "urn:ponte:test-erp:soap"
WSDL_PLACEHOLDER_ADDRESS = "http://127.0.0.1:8089/"
Required = Unicode(min_occurs=1, nillable=False, min_len=1)


class Receipt(ComplexModel):
    __namespace__ = NAMESPACE
    ReceiptId = Unicode
    Duplicate = Boolean


class StockLevel(ComplexModel):
    __namespace__ = NAMESPACE
    Item = Unicode
    Location = Unicode
    Quantity = Decimal
    Unit = Unicode
    UpdatedAt = DateTime


class InvoiceToIssue(ComplexModel):
    __namespace__ = NAMESPACE
    Id = Unicode
    OrderNumber = Unicode
    Customer = Unicode
    Amount = Decimal
    Currency = Unicode
    UpdatedAt = DateTime


def _erp(ctx: Any) -> TestErp:
    erp: TestErp = ctx.app.config["test_erp"]
    return erp


def _mode(ctx: Any) -> Mode:
    env: Environ = ctx.transport.req_env
    return Mode(env.get("test_erp.mode", Mode.ok))


def _misbehave(ctx: Any) -> None:
    """Raise the SOAP fault the ERP was told to answer with."""
    mode = _mode(ctx)
    if mode is Mode.fault_client:
        raise Fault(faultcode="Client.DocumentRejected", faultstring="test ERP rejects this document")
    if mode is Mode.fault_server:
        raise Fault(faultcode="Server.Unavailable", faultstring="test ERP database is down")
    if mode is Mode.echo_credentials:
        header = ctx.transport.req_env.get("HTTP_AUTHORIZATION")
        raise Fault(faultcode="Server.Unavailable", faultstring=echoed_credentials(header))


class TestErpService(ServiceBase):
    """Operations of the test ERP; names and element names are the WSDL's."""

    __test__ = False

    @rpc(Required, Required, Required, Unicode, ByteArray, _returns=Receipt)
    def SubmitDocument(ctx, IdempotencyKey, DocumentType, Payload, ContentType, Content):
        _misbehave(ctx)
        try:
            document = json.loads(Payload)
        except ValueError as exc:
            raise Fault(faultcode="Client.InvalidPayload", faultstring=f"Payload is not JSON: {exc}") from exc
        content = b"".join(Content) if Content is not None else None
        received, duplicate = _erp(ctx).accept(IdempotencyKey, DocumentType, document, content, ContentType)
        return Receipt(ReceiptId=received.receipt_id, Duplicate=duplicate)

    @rpc(Unicode, _returns=Array(StockLevel))
    def GetStockLevels(ctx, Since):
        _misbehave(ctx)
        return [
            StockLevel(Item=r["item"], Location=r["location"], Quantity=D(r["quantity"]), Unit=r["unit"],
                       UpdatedAt=datetime.fromisoformat(r["updated_at"]))
            for r in _erp(ctx).fetch("stock_levels", Since)
        ]

    @rpc(Unicode, _returns=Array(InvoiceToIssue))
    def GetInvoicesToIssue(ctx, Since):
        _misbehave(ctx)
        return [
            InvoiceToIssue(Id=r["id"], OrderNumber=r["order_number"], Customer=r["customer"],
                           Amount=D(r["amount"]), Currency=r["currency"],
                           UpdatedAt=datetime.fromisoformat(r["updated_at"]))
            for r in _erp(ctx).fetch("invoices_to_issue", Since)
        ]

    @rpc(_returns=Unicode)
    def Ping(ctx):
        _misbehave(ctx)
        return "pong"


def soap_app(erp: TestErp) -> WsgiApp:
    """The WSGI app of the SOAP test ERP, with `erp`'s failure modes in front of it."""
    application = Application(
        [TestErpService], tns=NAMESPACE, name="TestErp",
        in_protocol=Soap11(validator="lxml"), out_protocol=Soap11(),
        config={"test_erp": erp},
    )
    return ControlMiddleware(erp, WsgiApplication(application), _is_wsdl_request)


def _is_wsdl_request(environ: Environ) -> bool:
    return environ.get("REQUEST_METHOD") == "GET" and "wsdl" in environ.get("QUERY_STRING", "").lower()


def _sort_children_by_name(parent: etree._Element) -> None:
    """Sort runs of same-tag siblings (types, messages) by their name attribute, in place."""
    children = list(parent)
    ordered = sorted(children, key=lambda e: (children.index(next(c for c in children if c.tag == e.tag)),
                                                e.get("name", "")))
    parent[:] = ordered


def current_wsdl() -> str:
    """The WSDL the service serves, pretty-printed, with the placeholder address the fixture copy carries."""
    from tests.support.servers import ErpServer

    with ErpServer(soap_app(TestErp())) as server:
        text = requests.get(server.url + "?wsdl", timeout=10).content
    return pretty_wsdl(text, server.url)


def pretty_wsdl(served: bytes, address: str) -> str:
    """Stable text of a served WSDL: indented, and the live address replaced by the placeholder."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)
    root = etree.fromstring(served, parser)
    # spyne emits schema types and messages in an order that varies between runs: sort them by name.
    for parent in [*root.iter("{http://www.w3.org/2001/XMLSchema}schema"), root]:
        _sort_children_by_name(parent)
    text = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    return text.replace(address, WSDL_PLACEHOLDER_ADDRESS)


if __name__ == "__main__":
    sys.stdout.write(current_wsdl())
