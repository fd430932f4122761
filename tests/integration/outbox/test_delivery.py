"""Push delivery: ERP down for a while, every document lands exactly once; a hopeless one ends dead."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from hub.db import new_session
from hub.models import AuditEvent, OutboundDelivery
from tests.integration.outbox.conftest import FAST, deliver
from tests.support.erp_state import Mode, TestErp
from tests.support.servers import ErpServer


def _states(app: Flask) -> dict[str, OutboundDelivery]:
    with app.app_context(), new_session() as session:
        return {d.document_id: d for d in session.scalars(select(OutboundDelivery))}


def _drain(app: Flask, *, until: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the delivery job repeatedly, like the scheduler does, until `until()` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliver(app, limit=100, policy=FAST)
        if until():
            return
        time.sleep(0.02)
    raise AssertionError("deliveries did not settle in time")


def test_erp_down_refusing_timing_out_and_500_then_every_document_arrives_once(
        app: Flask, rest_erp: tuple[TestErp, ErpServer], make_connector: Callable[..., int],
        make_documents: Callable[..., list[str]]) -> None:
    erp, server = rest_erp
    make_connector("erp", "rest", server.url, read_timeout=0.3)
    policy = replace(FAST, max_attempts=50)
    docs = make_documents(4)

    server.stop()  # refusing connections
    assert deliver(app, limit=100, policy=policy) == 4
    server.start()
    erp.fail(Mode.hang)  # timing out
    deliver(app, limit=100, policy=policy)
    erp.reset()
    erp.fail(Mode.error_500, times=6)  # answering 500
    time.sleep(0.06)
    deliver(app, limit=100, policy=policy)
    assert all(d.state == "retrying" for d in _states(app).values())
    assert erp.unique_count == 0

    erp.reset()  # back
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(d.state != "sent" for d in _states(app).values()):
        deliver(app, limit=100, policy=policy)
        time.sleep(0.02)
    states = _states(app)
    assert {d.state for d in states.values()} == {"sent"}
    assert set(erp.deliveries) == set(docs)  # keyed by document id = idempotency key
    assert erp.duplicate_count == 0 and all(n == 1 for n in erp.attempts.values())
    assert all(d.attempts >= 3 for d in states.values())


def test_a_document_that_never_gets_through_ends_dead_with_its_error(
        app: Flask, rest_erp: tuple[TestErp, ErpServer], make_connector: Callable[..., int],
        make_documents: Callable[..., list[str]]) -> None:
    erp, server = rest_erp
    make_connector("erp", "rest", server.url)
    [doc] = make_documents(1)
    erp.fail(Mode.error_503)  # never recovers
    _drain(app, until=lambda: _states(app)[doc].state == "dead")
    dead = _states(app)[doc]
    assert dead.attempts == FAST.max_attempts
    assert dead.last_error is not None and "HTTP 503" in dead.last_error["message"]
    assert erp.unique_count == 0


def test_a_rejected_document_goes_dead_at_once_and_redeliver_replays_it(
        app: Flask, client: FlaskClient, runner: FlaskCliRunner, rest_erp: tuple[TestErp, ErpServer],
        make_connector: Callable[..., int], make_documents: Callable[..., list[str]],
        make_user: Callable[..., dict[str, str]]) -> None:
    erp, server = rest_erp
    make_connector("erp", "rest", server.url)
    first, second = make_documents(2)
    erp.fail(Mode.fault_client)  # 422: a final error, no retry
    deliver(app, limit=100, policy=FAST)
    states = _states(app)
    assert states[first].state == states[second].state == "dead"
    assert states[first].attempts == 1 and "422" in (states[first].last_error or {})["message"]
    erp.reset()

    result = runner.invoke(args=["hub", "redeliver", states[first].id])
    assert result.exit_code == 0, result.output
    operator = make_user("ops", "operator")
    answer = client.post(f"/api/v1/outbox/deliveries/{states[second].id}/redeliver", headers=operator)
    assert answer.status_code == 200 and answer.json["state"] == "pending"
    again = client.post(f"/api/v1/outbox/deliveries/{states[second].id}/redeliver", headers=operator)
    assert again.status_code == 409  # only dead ones
    auditor = make_user("aud", "auditor")
    assert client.post(f"/api/v1/outbox/deliveries/{states[second].id}/redeliver",
                       headers=auditor).status_code == 403

    deliver(app, limit=100, policy=FAST)
    assert {d.state for d in _states(app).values()} == {"sent"}
    assert set(erp.deliveries) == {first, second}
    listed = client.get("/api/v1/outbox/deliveries?state=sent", headers=operator).json["items"]
    assert {d["document_id"] for d in listed} == {first, second}


def test_every_state_change_is_audited_in_the_table_order(
        app: Flask, rest_erp: tuple[TestErp, ErpServer], make_connector: Callable[..., int],
        make_documents: Callable[..., list[str]]) -> None:
    erp, server = rest_erp
    make_connector("erp", "rest", server.url)
    [doc] = make_documents(1)
    erp.fail(Mode.error_500, times=1)
    _drain(app, until=lambda: _states(app)[doc].state == "sent")
    delivery_id = _states(app)[doc].id
    with app.app_context(), new_session() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_id == delivery_id)
                                 .order_by(AuditEvent.id)).all()
    steps: list[Any] = [(e.details.get("from"), e.details.get("to")) for e in events
                        if e.action == "delivery.state_changed"]
    assert steps == [("pending", "sending"), ("sending", "retrying"), ("retrying", "sending"),
                     ("sending", "sent")]
    assert events[0].action == "delivery.queued"


def test_soap_connector_delivers_with_the_key_as_an_element(
        app: Flask, soap_erp: tuple[TestErp, ErpServer], make_connector: Callable[..., int],
        make_documents: Callable[..., list[str]]) -> None:
    from tests.integration.connectors.conftest import ERP_WSDL

    erp, server = soap_erp
    make_connector("soap-erp", "soap", server.url, wsdl=str(ERP_WSDL))
    docs = make_documents(2, rendered=b"UNA:+.? 'UNB+UNOC:3'")
    erp.fail(Mode.fault_server, times=1)
    _drain(app, until=lambda: all(d.state == "sent" for d in _states(app).values()))
    assert set(erp.deliveries) == set(docs)
    assert all(r.content == b"UNA:+.? 'UNB+UNOC:3'" for r in erp.deliveries.values())
