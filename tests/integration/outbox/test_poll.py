"""The hub's own outbox for ERPs that poll: zeep over loopback, REST, leases, acknowledgements, scoping."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator

import pytest
import requests
import zeep
from flask import Flask
from flask.testing import FlaskClient

from tests.support.servers import ErpServer


@pytest.fixture
def live_hub(app: Flask) -> Iterator[str]:
    """The hub app served by a real HTTP server on loopback (threaded werkzeug)."""
    app.extensions["hub.delivery_policy"] = None
    with ErpServer(app) as server:
        yield server.url.rstrip("/")


def soap_client(base: str, headers: dict[str, str]) -> zeep.Client:
    session = requests.Session()
    session.headers.update(headers)
    settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True,
                             xml_huge_tree=False)
    return zeep.Client(f"{base}/soap?wsdl", transport=zeep.Transport(session=session, timeout=10,
                                                                       operation_timeout=10),
                       settings=settings)


def _visibility(app: Flask, seconds: float) -> None:
    from hub.erp.delivery import DeliveryPolicy

    app.extensions["hub.delivery_policy"] = DeliveryPolicy(visibility_timeout=seconds)


def test_zeep_polls_the_hub_wsdl_acknowledges_and_never_sees_a_document_twice(
        app: Flask, live_hub: str, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]],
        make_documents: Callable[..., list[str]]) -> None:
    erp = make_connector("poller", "poll")
    docs = make_documents(5, rendered=b"UNA:+.? '")
    _visibility(app, 8.0)  # long enough for three calls on a heavily loaded machine
    client = soap_client(live_hub, connector_token(erp))
    assert "FetchBatch" in client.service._operations  # the WSDL loaded from /soap?wsdl

    first = client.service.FetchBatch(Cursor=0, Limit=3)
    got = [d.Id for d in first.Documents.OutboxDocument]
    assert got == docs[:3]
    doc = first.Documents.OutboxDocument[0]
    assert json.loads(doc.Canonical)["number"].startswith("PO-") and doc.Type == "purchase_order"
    assert doc.Rendered == b"UNA:+.? '"
    second = client.service.FetchBatch(Cursor=first.NextCursor, Limit=10)
    assert [d.Id for d in second.Documents.OutboxDocument] == docs[3:]
    assert client.service.FetchBatch(Cursor=second.NextCursor, Limit=10).Documents is None  # leased

    ack = client.service.Acknowledge(Ids={"string": got})
    assert ack.Acknowledged.string == got and ack.Unknown is None

    time.sleep(8.2)  # the lease runs out: only the unacknowledged two come back
    again = client.service.FetchBatch(Cursor=second.NextCursor, Limit=10)
    assert [d.Id for d in again.Documents.OutboxDocument] == docs[3:]
    client.service.Acknowledge(Ids={"string": docs[3:]})

    time.sleep(8.2)
    seen_after_ack: list[str] = []
    for cursor in (0, first.NextCursor, again.NextCursor):  # whatever cursor it asks with
        batch = client.service.FetchBatch(Cursor=cursor, Limit=50)
        seen_after_ack += [d.Id for d in batch.Documents.OutboxDocument] if batch.Documents else []
    assert seen_after_ack == []


def test_soap_rejects_a_missing_or_foreign_token(
        app: Flask, live_hub: str, make_connector: Callable[..., int],
        make_partner: Callable[..., object]) -> None:
    make_connector("poller", "poll")
    partner = make_partner("acme")
    for headers in ({}, {"Authorization": f"Bearer {partner.key}"}):  # type: ignore[attr-defined]
        client = soap_client(live_hub, headers)
        with pytest.raises(zeep.exceptions.Fault) as fault:
            client.service.FetchBatch(Cursor=0, Limit=5)
        assert "Unauthorized" in str(fault.value.code)


def test_rest_outbox_fetch_ack_and_visibility(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]],
        make_documents: Callable[..., list[str]]) -> None:
    erp = make_connector("poller", "poll", doc_types=("purchase_order",))
    headers = connector_token(erp)
    docs = make_documents(3, rendered=b"<Order/>")
    make_documents(1, doc_type="invoice")  # not this connector's type: never queued for it
    _visibility(app, 0.5)

    page = client.get("/api/v1/outbox?limit=2", headers=headers).json
    assert [i["id"] for i in page["items"]] == docs[:2]
    assert base64.b64decode(page["items"][0]["rendered"]) == b"<Order/>"
    assert page["items"][0]["canonical"]["doc_type"] == "purchase_order"
    reread = client.get("/api/v1/outbox?cursor=0&limit=2", headers=headers).json  # same cursor again
    assert [i["id"] for i in reread["items"]] == docs[:2]
    rest = client.get(f"/api/v1/outbox?cursor={page['next_cursor']}", headers=headers).json
    assert [i["id"] for i in rest["items"]] == docs[2:]

    answer = client.post("/api/v1/outbox/ack", headers=headers, json={"ids": [*docs, "nope"]})
    assert answer.status_code == 200
    assert answer.json == {"acknowledged": docs, "unknown": ["nope"]}
    time.sleep(0.6)
    assert client.get("/api/v1/outbox?cursor=0", headers=headers).json["items"] == []


def test_unacknowledged_documents_come_back_after_the_visibility_timeout(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]],
        make_documents: Callable[..., list[str]]) -> None:
    headers = connector_token(make_connector("poller", "poll"))
    docs = make_documents(2)
    _visibility(app, 0.5)
    batch = client.get("/api/v1/outbox", headers=headers).json
    assert client.get(f"/api/v1/outbox?cursor={batch['next_cursor']}", headers=headers).json["items"] == []
    time.sleep(0.6)
    back = client.get(f"/api/v1/outbox?cursor={batch['next_cursor']}", headers=headers).json
    assert [i["id"] for i in back["items"]] == docs
    assert all(i["fetch_count"] == 2 for i in back["items"])
    assert back["next_cursor"] > batch["next_cursor"]


def test_a_connector_token_sees_only_its_own_documents(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]], make_documents: Callable[..., list[str]],
        make_partner: Callable[..., object], make_user: Callable[..., dict[str, str]]) -> None:
    orders = connector_token(make_connector("orders-erp", "poll", doc_types=("purchase_order",)))
    invoices = connector_token(make_connector("invoice-erp", "poll", doc_types=("invoice",)))
    [po] = make_documents(1)
    [inv] = make_documents(1, doc_type="invoice")
    assert [i["id"] for i in client.get("/api/v1/outbox", headers=orders).json["items"]] == [po]
    assert [i["id"] for i in client.get("/api/v1/outbox", headers=invoices).json["items"]] == [inv]
    assert client.get(f"/api/v1/outbox/documents/{po}", headers=orders).status_code == 200
    assert client.get(f"/api/v1/outbox/documents/{po}", headers=invoices).status_code == 404
    foreign_ack = client.post("/api/v1/outbox/ack", headers=invoices, json={"ids": [po]}).json
    assert foreign_ack == {"acknowledged": [], "unknown": [po]}
    assert client.get(f"/api/v1/outbox/documents/{po}", headers=orders).json["acknowledged"] is False
    # partner keys and admin tokens are not ERP tokens
    partner = make_partner("acme")
    assert client.get("/api/v1/outbox", headers=partner.headers).status_code == 403  # type: ignore[attr-defined]
    assert client.get("/api/v1/outbox", headers=make_user()).status_code == 403
    assert client.get("/api/v1/outbox").status_code == 401


def test_bad_outbox_parameters_are_400_naming_the_parameter(
        app: Flask, client: FlaskClient, make_connector: Callable[..., int],
        connector_token: Callable[[int], dict[str, str]]) -> None:
    headers = connector_token(make_connector("poller", "poll"))
    bad = client.get("/api/v1/outbox?cursor=abc", headers=headers)
    assert bad.status_code == 400 and "cursor" in bad.json["error"]["message"]
    bad = client.get("/api/v1/outbox?limit=100000", headers=headers)
    assert bad.status_code == 400 and "limit" in bad.json["error"]["message"]
    bad = client.post("/api/v1/outbox/ack", headers=headers, json={"ids": "x"})
    assert bad.status_code == 400 and "ids" in bad.json["error"]["message"]
    bad = client.post("/api/v1/outbox/ack", headers=headers, data=b"{not json")
    assert bad.status_code == 400 and "body" in bad.json["error"]["message"]
