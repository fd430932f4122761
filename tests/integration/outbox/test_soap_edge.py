"""/soap checks the token before the body, parses with the hub's safe parser, and faults on every error."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from lxml import etree

from tests.integration.api.test_edge_limits import LIMIT, chunked_post

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
FETCH = (b'<?xml version="1.0" encoding="UTF-8"?>'
         b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
         b'xmlns:tns="urn:ponte:hub:outbox"><soapenv:Body><tns:FetchBatch>'
         b"<tns:Cursor>%s</tns:Cursor><tns:Limit>5</tns:Limit></tns:FetchBatch></soapenv:Body>"
         b"</soapenv:Envelope>")
SOAP = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": "FetchBatch"}
MARKER = b"PONTE-BODY-MARKER"


def fault_code(data: bytes) -> str:
    """The faultcode of a SOAP 1.1 fault answer (fails the test if it is not one)."""
    root = etree.fromstring(data)
    code = root.find(f"{{{ENV}}}Body/{{{ENV}}}Fault/faultcode")
    assert code is not None, data[:300]
    return str(code.text)


@pytest.fixture
def token(make_connector: Callable[..., int], connector_token: Callable[[int], dict[str, str]]
          ) -> dict[str, str]:
    return connector_token(make_connector("poller", "poll"))


def test_a_valid_call_with_the_token_answers(client: FlaskClient, token: dict[str, str]):
    resp = client.post("/soap", data=FETCH % b"0", headers={**SOAP, **token})
    assert resp.status_code == 200, resp.data
    assert b"FetchBatchResponse" in resp.data


def test_without_a_token_the_body_is_never_parsed(client: FlaskClient, caplog):
    caplog.set_level(logging.DEBUG)
    for body in (FETCH % MARKER, b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>" + MARKER + b"&a;</x>",
                 b"\xff" + MARKER):
        resp = client.post("/soap", data=body, headers=SOAP)
        assert resp.status_code == 401 and resp.mimetype == "text/xml"
        assert fault_code(resp.data) == "soap11env:Client.Unauthorized"
    assert MARKER.decode() not in caplog.text


HOSTILE = {
    "entity reference": (FETCH % b"&xxe;", "Client.XML_SYNTAX"),
    "DOCTYPE": (b'<?xml version="1.0"?><!DOCTYPE e [<!ELEMENT e ANY>]>' + FETCH[38:] % b"0",
                "Client.XML_DOCTYPE"),
    "not UTF-8": (FETCH % b"\xff\xfe\xe9", "Client.XML_SYNTAX"),
    "malformed": (FETCH[:120] + MARKER, "Client.XML_SYNTAX"),
    "empty": (b"", "Client.XML_EMPTY"),
    "not SOAP": (b"<x>" + MARKER + b"</x>", "Client"),
    "cursor out of range": (FETCH % b"99999999999999999999", "Client.BadParameter"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_every_bad_body_is_a_soap_fault_and_is_not_logged(case: str, client: FlaskClient,
                                                          token: dict[str, str], caplog):
    caplog.set_level(logging.DEBUG)
    body, expected = HOSTILE[case]
    resp = client.post("/soap", data=body, headers={**SOAP, **token})
    # the edge answers 400; spyne answers its own faults 500, as SOAP 1.1 over HTTP says
    assert resp.status_code in (400, 500), (resp.status_code, resp.data[:300])
    assert resp.mimetype == "text/xml"
    assert fault_code(resp.data).startswith(f"soap11env:{expected}"), resp.data[:300]
    assert MARKER.decode() not in caplog.text


def test_oversize_bodies_are_refused_declared_or_chunked(client: FlaskClient, token: dict[str, str]):
    big = FETCH % (b"0" * LIMIT)
    declared = client.post("/soap", data=big, headers={**SOAP, **token})
    assert declared.status_code == 413 and fault_code(declared.data) == "soap11env:Client.TooLarge"
    chunked = chunked_post(client, "/soap", big, {**SOAP, **token})
    assert chunked.status_code == 413 and fault_code(chunked.data) == "soap11env:Client.TooLarge"
    assert str(LIMIT) in chunked.data.decode()


def test_a_chunked_call_within_the_limit_is_served(client: FlaskClient, token: dict[str, str]):
    resp = chunked_post(client, "/soap", FETCH % b"0", {**SOAP, **token})
    assert resp.status_code == 200 and b"FetchBatchResponse" in resp.data


def test_other_methods_get_a_fault_and_the_wsdl_is_served(client: FlaskClient):
    assert fault_code(client.put("/soap", data=b"x").data) == "soap11env:Client.MethodNotAllowed"
    wsdl = client.get("/soap?wsdl")
    assert wsdl.status_code == 200 and b"FetchBatch" in wsdl.data
