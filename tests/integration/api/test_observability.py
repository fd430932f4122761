"""What an operator sees: one JSON log line per exchange outcome and delivery attempt, the busy
scheduler's warning silenced, Prometheus metrics, and a readiness check that turns on backlogs."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from bench.edifact_parse import generate
from hub.db import new_session, utcnow
from hub.erp.connectors import ConnectorSpec, add_connector
from hub.erp.delivery import DeliveryPolicy, deliver_due
from hub.models import Exchange
from hub.observability.logs import JsonFormatter, configure
from tests.support.exchanges import post, process


@pytest.fixture
def json_lines(caplog: pytest.LogCaptureFixture):  # type: ignore[no-untyped-def]
    """The hub's outcome lines as the JSON formatter writes them."""
    caplog.set_level(logging.INFO, logger="hub.outcomes")
    formatter = JsonFormatter()
    return lambda: [json.loads(formatter.format(r)) for r in caplog.records if r.name == "hub.outcomes"]


def test_one_json_line_per_receipt_outcome_and_delivery_attempt(app, client, make_partner, json_lines,
                                                                 tmp_path):
    with app.app_context(), new_session() as session:
        add_connector(session, ConnectorSpec(name="files", key="file", endpoint=str(tmp_path / "erp")),
                      actor="test", secret_key=app.config["HUB_SETTINGS"].secret_key)
        session.commit()
    buyer = make_partner("buyer", edi_id="5412345000013")
    good = post(client, buyer, generate(1, 1))
    bad = post(client, buyer, b"UNB+UNOC:3+5412345000013:14+HUB+261122:1200+BAD1'UNZ+1+WRONG'")
    process(app)
    deliver_due(lambda: new_session(app), policy=DeliveryPolicy(),
                secret_key=app.config["HUB_SETTINGS"].secret_key)
    lines = {(x["event"], x["id"]): x for x in json_lines()}
    received = lines[("exchange.received", good)]
    assert received["partner_id"] == buyer.id and received["syntax"] == "edifact" and received["size"] > 0
    done = lines[("exchange.processed", good)]
    assert done["partner_id"] == buyer.id and done["type"] == "ORDERS" and done["state"] == "processed"
    assert done["duration_ms"] >= 0 and done["level"] == "INFO" and "time" in done
    failed = lines[("exchange.failed", bad)]
    assert failed["level"] == "WARNING" and failed["error_code"]
    (attempt,) = [x for x in lines.values() if x["event"] == "delivery.attempt"]
    assert (attempt["connector"], attempt["attempt"], attempt["state"]) == ("files", 1, "sent")


def test_a_busy_job_is_not_a_warning(caplog):
    configure("INFO", "text")
    caplog.set_level(logging.WARNING, logger="apscheduler.scheduler")
    busy = logging.getLogger("apscheduler.scheduler")
    busy.warning('Execution of job "%s" skipped: maximum number of running instances reached (%d)',
                 "process_inbound", 1)
    busy.warning("something else")
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == ["something else"]


def test_log_settings_are_checked(app):
    with pytest.raises(ValueError, match="HUB_LOG_LEVEL"):
        configure("LOUD", "text")
    with pytest.raises(ValueError, match="HUB_LOG_FORMAT"):
        configure("INFO", "xml")


def test_metrics_show_exchanges_and_queues(app, client, make_partner):
    buyer = make_partner("buyer", edi_id="5412345000013")
    post(client, buyer, generate(1, 1))
    body = client.get("/metrics").data.decode()
    assert 'hub_exchanges{direction="inbound",state="received",type="ORDERS"} 1.0' in body
    assert 'hub_queue_depth{queue="inbound"} 1.0' in body
    assert 'hub_queue_oldest_age_seconds{queue="inbound"}' in body
    process(app)
    body = client.get("/metrics").data.decode()
    assert 'hub_exchanges{direction="inbound",state="processed",type="ORDERS"} 1.0' in body
    assert 'hub_queue_depth{queue="inbound"} 0.0' in body
    assert 'hub_exchange_processing_seconds_count{outcome="processed"}' in body


def test_readyz_turns_unready_on_an_old_backlog_and_tells_staff_why(app, client, make_partner, make_user):
    buyer = make_partner("buyer", edi_id="5412345000013")
    assert client.get("/readyz").json == {"status": "ready"}
    exchange_id = post(client, buyer, generate(1, 1))
    with app.app_context(), new_session() as session:
        session.get(Exchange, exchange_id).received_at = utcnow() - timedelta(hours=2)
        session.commit()
    anonymous = client.get("/readyz")
    assert anonymous.status_code == 503 and anonymous.json == {"status": "unready"}
    staff = client.get("/readyz", headers=make_user("ops", "operator")).json
    assert staff["backlogged"] == ["inbound"] and staff["queues"]["inbound"]["waiting"] == 1
    assert staff["queues"]["inbound"]["oldest_age_seconds"] >= 7200
    partner_view = client.get("/readyz", headers=buyer.headers).json
    assert partner_view == {"status": "unready"}  # backlog figures are for staff only
