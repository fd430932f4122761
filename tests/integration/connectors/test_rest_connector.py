"""The REST connector against the Flask test ERP on loopback."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from connectors.base import ConnectorSettings
from connectors.rest import RestConnector
from hub.domain.errors import ConnectorError
from tests.integration.connectors.conftest import ConnectorFactory
from tests.support.documents import make_delivery
from tests.support.erp_state import Mode, TestErp
from tests.support.servers import ErpServer

Erp = tuple[TestErp, ErpServer]


def _send_error(connector: object, document_id: str) -> ConnectorError:
    with pytest.raises(ConnectorError) as info:
        connector.send(make_delivery(document_id))  # type: ignore[attr-defined]
    return info.value


def test_send_posts_the_document_with_the_idempotency_key_header(
    rest_erp: Erp, rest_connector: ConnectorFactory
) -> None:
    erp, _ = rest_erp
    delivery = make_delivery("doc-rest-1", rendered=b"<Invoice/>", content_type="application/xml")

    result = rest_connector().send(delivery)

    assert erp.deliveries["doc-rest-1"].document == delivery.document
    assert erp.deliveries["doc-rest-1"].content == b"<Invoice/>"
    assert result.remote_reference == erp.deliveries["doc-rest-1"].receipt_id
    assert result.duplicate is False


def test_the_same_key_twice_is_one_delivery(rest_erp: Erp, rest_connector: ConnectorFactory) -> None:
    erp, _ = rest_erp
    connector = rest_connector()
    first = connector.send(make_delivery("doc-rest-2"))
    second = connector.send(make_delivery("doc-rest-2"))

    assert (erp.unique_count, erp.duplicate_count) == (1, 1)
    assert second.duplicate is True
    assert second.remote_reference == first.remote_reference


def test_concurrent_sends_of_one_key_make_one_delivery(
    rest_erp: Erp, rest_connector: ConnectorFactory
) -> None:
    erp, _ = rest_erp
    connector = rest_connector()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: connector.send(make_delivery("doc-rest-race")), range(8)))

    assert erp.unique_count == 1
    assert len({r.remote_reference for r in results}) == 1
    assert sum(not r.duplicate for r in results) == 1


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
    rest_erp: Erp, rest_connector: ConnectorFactory, mode: Mode, retryable: bool
) -> None:
    erp, _ = rest_erp
    erp.fail(mode, times=1)

    assert _send_error(rest_connector(), "doc-rest-fail").retryable is retryable
    assert erp.unique_count == 0


def test_the_erp_recovers_after_n_failures(rest_erp: Erp, rest_connector: ConnectorFactory) -> None:
    erp, _ = rest_erp
    connector = rest_connector()
    erp.fail(Mode.error_500, times=2)

    for _ in range(2):
        assert _send_error(connector, "doc-rest-n").retryable is True
    connector.send(make_delivery("doc-rest-n"))

    assert erp.unique_count == 1
    assert erp.calls == 3


def test_a_hanging_erp_times_out_as_retryable(rest_erp: Erp, rest_connector: ConnectorFactory) -> None:
    erp, _ = rest_erp
    erp.fail(Mode.hang)
    started = time.monotonic()

    error = _send_error(rest_connector(read_timeout=0.5), "doc-rest-hang")

    assert error.retryable is True
    assert time.monotonic() - started < 3


def test_a_refusing_erp_is_retryable(rest_erp: Erp, rest_connector: ConnectorFactory) -> None:
    erp, server = rest_erp
    connector = rest_connector()
    server.stop()

    assert _send_error(connector, "doc-rest-down").retryable is True
    health = connector.health()
    assert health.ok is False
    assert "unreachable" in health.detail

    server.start()
    connector.send(make_delivery("doc-rest-down"))
    assert erp.unique_count == 1


def test_bearer_token_from_the_environment_is_read_at_call_time(
    rest_erp: Erp, rest_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    erp, _ = rest_erp
    erp.auth = ("bearer", "s3cret")
    connector = rest_connector(token="env:TEST_ERP_TOKEN")

    monkeypatch.setenv("TEST_ERP_TOKEN", "wrong")
    assert _send_error(connector, "doc-rest-auth").retryable is False  # 401 is final

    monkeypatch.setenv("TEST_ERP_TOKEN", "s3cret")  # rotated without rebuilding the connector
    connector.send(make_delivery("doc-rest-auth"))
    assert erp.unique_count == 1


def test_a_missing_credential_variable_is_a_final_error(
    rest_erp: Erp, rest_connector: ConnectorFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEST_ERP_MISSING", raising=False)
    error = _send_error(rest_connector(token="env:TEST_ERP_MISSING"), "doc-rest-noenv")
    assert error.retryable is False
    assert "TEST_ERP_MISSING" in error.message


def test_basic_auth(rest_erp: Erp, rest_connector: ConnectorFactory) -> None:
    erp, _ = rest_erp
    erp.auth = ("basic", "hub", "pa55")

    rest_connector(username="hub", password="pa55").send(make_delivery("doc-rest-basic"))

    assert erp.unique_count == 1


def test_fetch_stock_levels_since_a_cursor(rest_erp: Erp, rest_connector: ConnectorFactory) -> None:
    connector = rest_connector()

    everything = connector.fetch("stock_levels", None)
    newer = connector.fetch("stock_levels", "2025-03-01T12:00:00+00:00")
    invoices = connector.fetch("invoices_to_issue", None)

    assert [s["item"] for s in everything] == ["4000862141404", "4000862141411"]
    assert [s["item"] for s in newer] == ["4000862141411"]
    assert invoices[0]["amount"] == "1250.00"


def test_health(rest_erp: Erp, rest_connector: ConnectorFactory) -> None:
    assert rest_connector().health().ok is True


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(ConnectorError) as info:
        RestConnector(ConnectorSettings(endpoint="http://erp.example/api"))
    assert info.value.retryable is False


def test_a_redirect_is_not_followed(rest_erp: Erp, rest_connector: ConnectorFactory) -> None:
    """A 3xx is not success: the document must not silently go somewhere else."""
    connector = rest_connector(options={"allow_loopback": True, "send_path": "/old-documents"})
    with pytest.raises(ConnectorError) as info:
        connector.send(make_delivery("doc-rest-redirect"))
    assert "308" in info.value.message
    assert rest_erp[0].unique_count == 0
