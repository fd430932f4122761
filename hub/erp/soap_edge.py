"""What stands between the network and spyne at /soap: size, token, safe parsing, faults.

In this order, each before the next costs anything: the declared size is checked; the bearer token
is checked before the body is read (an unauthenticated body is drained unread, never kept or
parsed); the body is read with a cap (chunked ones too) and parsed by the hub's safe parser
(`hub.xmlsafe`: no DOCTYPE, entities or network); only then does spyne see the parsed tree.
Every error is a SOAP 1.1 fault, and no request body reaches a log.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from typing import Any
from xml.sax.saxutils import escape

from flask import Flask
from werkzeug.exceptions import ClientDisconnected
from werkzeug.wsgi import LimitedStream

from hub.access import Permission, may
from hub.api.auth import bearer_secret, identify
from hub.api.limits import declared_length, drain, read_capped, too_large_message
from hub.db import new_session
from hub.domain.errors import ValidationError
from hub.xmlsafe import parse_xml

log = logging.getLogger(__name__)

CONNECTOR_KEY = "hub.soap.connector_id"  # the authenticated connector, for the operations
DOCUMENT_KEY = "hub.soap.document"  # the envelope as parsed by hub.xmlsafe
MAX_ELEMENTS = 200_000  # an envelope of 500 invoices with their lines stays far below this

_ENVELOPE = ("<?xml version='1.0' encoding='UTF-8'?>\n"
             "<soap11env:Envelope xmlns:soap11env=\"http://schemas.xmlsoap.org/soap/envelope/\">"
             "<soap11env:Body><soap11env:Fault><faultcode>soap11env:{code}</faultcode>"
             "<faultstring>{message}</faultstring></soap11env:Fault></soap11env:Body>"
             "</soap11env:Envelope>")


class SoapFault(Exception):
    """A fault the edge answers itself, with its HTTP status."""

    def __init__(self, status: str, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def fault_response(start_response: Any, fault: SoapFault) -> list[bytes]:
    """Answer a SOAP 1.1 fault; the log line names the fault, never the request."""
    log.info("SOAP fault %s %s", fault.status.split()[0], fault.code)
    body = _ENVELOPE.format(code=escape(fault.code), message=escape(fault.message)).encode()
    headers = [("Content-Type", "text/xml; charset=utf-8"), ("Content-Length", str(len(body)))]
    if fault.status.startswith("401"):
        headers.append(("WWW-Authenticate", "Bearer"))
    start_response(fault.status, headers)
    return [body]


class SoapEdge:
    """WSGI app at /soap: checks, then hands the parsed envelope to spyne."""

    def __init__(self, flask_app: Flask, spyne_app: Any, limit: int) -> None:
        self.flask_app = flask_app
        self.spyne_app = spyne_app
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            if environ.get("REQUEST_METHOD") == "GET":  # the WSDL
                environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(), "0"
                return self.spyne_app(environ, start_response)
            self._prepare(environ)
            return self.spyne_app(environ, start_response)
        except SoapFault as fault:
            return fault_response(start_response, fault)
        except ClientDisconnected:
            return fault_response(start_response, SoapFault(
                "400 Bad Request", "Client.BadRequest", "the body ended before its Content-Length"))
        except Exception:
            log.exception("SOAP request failed before reaching the service")
            return fault_response(start_response, SoapFault(
                "500 Internal Server Error", "Server", "the hub hit an unexpected error; it is logged"))

    def _prepare(self, environ: dict[str, Any]) -> None:
        """Check size and token, read and parse the body: raise SoapFault, or set up spyne's input."""
        if environ.get("REQUEST_METHOD") != "POST":
            raise SoapFault("405 Method Not Allowed", "Client.MethodNotAllowed",
                            "SOAP requests are POSTed (the WSDL is at ?wsdl)")
        length = declared_length(environ)
        if length == -1:
            raise SoapFault("400 Bad Request", "Client.BadRequest", "Content-Length is not a length")
        if length is not None and length > self.limit:
            raise SoapFault("413 Request Entity Too Large", "Client.TooLarge",
                            too_large_message(self.limit))
        stream = self._body_stream(environ, length)
        connector_id = self._authenticate(environ)
        if connector_id is None:
            drain(stream, self.limit)  # so the client reads the fault instead of a reset
            raise SoapFault("401 Unauthorized", "Client.Unauthorized",
                            "send the connector token as 'Authorization: Bearer <token>'")
        body = read_capped(stream, self.limit)
        if body is None:
            drain(stream, self.limit)
            raise SoapFault("413 Request Entity Too Large", "Client.TooLarge",
                            too_large_message(self.limit))
        try:
            document = parse_xml(body, max_bytes=self.limit, max_elements=MAX_ELEMENTS)
        except ValidationError as exc:
            code = exc.problems[0].code if exc.problems else "XML_INVALID"
            raise SoapFault("400 Bad Request", f"Client.{code}", exc.message) from None
        environ.update({"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
                        CONNECTOR_KEY: connector_id, DOCUMENT_KEY: document})

    @staticmethod
    def _body_stream(environ: dict[str, Any], length: int | None) -> Any:
        raw = environ["wsgi.input"]
        if length is not None:
            return LimitedStream(raw, length)
        # Without a Content-Length only a server that ends the stream (chunked) can be read safely.
        return raw if environ.get("wsgi.input_terminated") else io.BytesIO()

    def _authenticate(self, environ: dict[str, Any]) -> int | None:
        """The connector whose token the request carries (the API's one parser and access rule)."""
        header = environ.get("HTTP_AUTHORIZATION")
        if bearer_secret(header) is None:
            return None
        with new_session(self.flask_app) as session:
            principal = identify(session, header)
            return principal.connector_id if may(principal, Permission.erp) and principal else None
