"""The SOAP connector (zeep) against the spyne test ERP on loopback."""

from __future__ import annotations

import time

import pytest
import requests

from connectors.base import ConnectorSettings, Delivery
from connectors.soap import SoapConnector
from hub.domain.errors import ConnectorError
from tests.integration.connectors.conftest import ERP_WSDL, ConnectorFactory
from tests.support.documents import make_delivery
from tests.support.erp_state import Mode, TestErp
from tests.support.servers import ErpServer
from tests.support.soap_erp import pretty_wsdl

Erp = tuple[TestErp, ErpServer]


def _error(connector_call: object, delivery: Delivery) -> ConnectorError:
    with pytest.raises(ConnectorError) as info:
        connector_call(delivery)  # type: ignore[operator]
    return info.value


def test_send_reaches_the_erp_with_the_idempotency_key(
    soap_erp: Erp, soap_connector: ConnectorFactory
) -> None:
    erp, _ = soap_erp
    delivery = make_delivery("doc-soap-1")

    result = soap_connector().send(delivery)

    assert erp.unique_count == 1
    received = erp.deliveries["doc-soap-1"]
    assert received.document == delivery.document
    assert received.document_type == "invoice"
    assert result.remote_reference == received.receipt_id
    assert result.duplicate is False


def test_resend_with_the_same_key_is_recorded_once_and_answered_with_the_original(
    soap_erp: Erp, soap_connector: ConnectorFactory
) -> None:
    erp, _ = soap_erp
    connector = soap_connector()
    first = connector.send(make_delivery("doc-soap-2"))
    second = connector.send(make_delivery("doc-soap-2"))

    assert erp.unique_count == 1
    assert erp.duplicate_count == 1
    assert second.duplicate is True
    assert second.remote_reference == first.remote_reference


def test_rendered_bytes_travel_with_their_content_type(
    soap_erp: Erp, soap_connector: ConnectorFactory
) -> None:
    erp, _ = soap_erp
    edifact = b"UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+250301:1200+1'"
    soap_connector().send(make_delivery("doc-soap-3", rendered=edifact, content_type="application/edifact"))

    assert erp.deliveries["doc-soap-3"].content == edifact
    assert erp.deliveries["doc-soap-3"].content_type == "application/edifact"


@pytest.mark.parametrize(
    ("mode", "retryable"),
    [
        (Mode.error_500, True),
        (Mode.error_503, True),
        (Mode.error_429, True),
        (Mode.fault_server, True),
        (Mode.error_400, False),
        (Mode.fault_client, False),
    ],
)
def test_erp_failures_are_classified(
    soap_erp: Erp, soap_connector: ConnectorFactory, mode: Mode, retryable: bool
) -> None:
    erp, _ = soap_erp
    erp.fail(mode, times=1)

    error = _error(soap_connector().send, make_delivery("doc-soap-fail"))

    assert error.retryable is retryable
    assert erp.unique_count == 0


def test_a_hanging_erp_times_out_as_retryable(soap_erp: Erp, soap_connector: ConnectorFactory) -> None:
    erp, _ = soap_erp
    connector = soap_connector(read_timeout=0.5)
    connector.health()  # load the WSDL before the ERP starts hanging
    erp.fail(Mode.hang)
    started = time.monotonic()

    error = _error(connector.send, make_delivery("doc-soap-hang"))

    assert error.retryable is True
    assert "timed out" in error.message
    assert time.monotonic() - started < 3
    assert erp.unique_count == 0


def test_a_refusing_erp_is_retryable_and_delivery_succeeds_once_it_is_back(
    soap_erp: Erp, soap_connector: ConnectorFactory
) -> None:
    erp, server = soap_erp
    connector = soap_connector()
    server.stop()

    error = _error(connector.send, make_delivery("doc-soap-down"))
    assert error.retryable is True
    assert connector.health().ok is False

    server.start()
    connector.send(make_delivery("doc-soap-down"))
    assert erp.unique_count == 1
    assert erp.duplicate_count == 0


def test_a_slow_answer_after_processing_is_deduplicated_on_retry(
    soap_erp: Erp, soap_connector: ConnectorFactory
) -> None:
    """The ERP stores the document but answers too late: the retry must not create a second one."""
    erp, _ = soap_erp
    connector = soap_connector(read_timeout=2.0)  # room for the retry's answer on a loaded machine
    connector.health()
    erp.fail(Mode.slow, times=1, delay=4.0)

    assert _error(connector.send, make_delivery("doc-soap-slow")).retryable is True
    result = connector.send(make_delivery("doc-soap-slow"))

    assert result.duplicate is True
    assert erp.unique_count == 1


def test_fetch_stock_levels_and_invoices_to_issue(soap_erp: Erp, soap_connector: ConnectorFactory) -> None:
    connector = soap_connector()

    stock = connector.fetch("stock_levels", None)
    invoices = connector.fetch("invoices_to_issue", "2025-03-02T00:00:00+00:00")

    assert [s["item"] for s in stock] == ["4000862141404", "4000862141411"]
    assert stock[1]["quantity"] == "7.5"  # Decimal as text, never a float
    assert stock[1]["unit"] == "KGM"
    assert invoices == [
        {"id": "INV-REQ-1", "order_number": "PO-1001", "customer": "5412345000013", "amount": "1250.00",
         "currency": "EUR", "updated_at": "2025-03-02T09:30:00+00:00"}
    ]
    assert connector.fetch("stock_levels", "2025-03-01T12:00:00+00:00")[0]["item"] == "4000862141411"


def test_fetch_of_an_unmapped_kind_is_a_final_error(soap_erp: Erp, soap_connector: ConnectorFactory) -> None:
    with pytest.raises(ConnectorError) as info:
        soap_connector().fetch("purchase_orders", None)
    assert info.value.retryable is False


def test_health_is_ok_when_the_erp_answers(soap_erp: Erp, soap_connector: ConnectorFactory) -> None:
    status = soap_connector().health()
    assert status.ok is True
    assert status.latency_ms is not None


def test_the_fixture_wsdl_is_what_the_service_serves(soap_erp: Erp) -> None:
    """fixtures/erp/test_erp.wsdl must be regenerated when the test ERP's service changes."""
    _, server = soap_erp
    served = requests.get(server.url + "?wsdl", timeout=5).content
    assert pretty_wsdl(served, server.url) == ERP_WSDL.read_text(encoding="utf-8")


def test_basic_auth_credentials_from_the_environment(
    soap_erp: Erp, soap_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    erp, server = soap_erp
    erp.auth = ("basic", "hub", "pa55")
    monkeypatch.setenv("TEST_ERP_PASSWORD", "pa55")
    settings = ConnectorSettings(
        endpoint=server.url, username="hub", password="env:TEST_ERP_PASSWORD",
        options={"wsdl": str(ERP_WSDL), "allow_loopback": True},
    )
    connector = SoapConnector(settings)

    connector.send(make_delivery("doc-soap-auth"))
    monkeypatch.setenv("TEST_ERP_PASSWORD", "wrong")
    assert _error(connector.send, make_delivery("doc-soap-auth-2")).retryable is False  # 401

    assert list(erp.deliveries) == ["doc-soap-auth"]
    connector.close()
