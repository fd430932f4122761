"""Fixtures: the SOAP and REST test ERPs on loopback, and connectors pointed at them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.base import Connector, ConnectorSettings
from connectors.registry import build_connector
from tests.support.erp_state import TestErp
from tests.support.servers import ErpServer, running_rest_erp, running_soap_erp

REPO = Path(__file__).resolve().parents[3]
ERP_WSDL = REPO / "fixtures" / "erp" / "test_erp.wsdl"
ConnectorFactory = Callable[..., Connector]


@pytest.fixture
def soap_erp() -> Iterator[tuple[TestErp, ErpServer]]:
    with running_soap_erp() as pair:
        yield pair


@pytest.fixture
def rest_erp() -> Iterator[tuple[TestErp, ErpServer]]:
    with running_rest_erp() as pair:
        yield pair


@pytest.fixture
def soap_connector(soap_erp: tuple[TestErp, ErpServer]) -> Iterator[ConnectorFactory]:
    """Build SOAP connectors to the test ERP from the fixture WSDL; extra kwargs go into the settings."""
    built: list[Connector] = []

    def make(read_timeout: float = 5.0, **options: Any) -> Connector:
        settings = ConnectorSettings(
            endpoint=soap_erp[1].url, connect_timeout=2.0, read_timeout=read_timeout,
            options={"wsdl": str(ERP_WSDL), "allow_loopback": True, **options},
        )
        connector = build_connector("soap", settings)
        built.append(connector)
        return connector

    yield make
    for connector in built:
        connector.close()


@pytest.fixture
def rest_connector(rest_erp: tuple[TestErp, ErpServer]) -> Iterator[ConnectorFactory]:
    """Build REST connectors to the test ERP; keyword arguments override the settings."""
    built: list[Connector] = []

    def make(**overrides: Any) -> Connector:
        values: dict[str, Any] = {
            "endpoint": rest_erp[1].url, "connect_timeout": 2.0, "read_timeout": 5.0,
            "options": {"allow_loopback": True},
        }
        values.update(overrides)
        connector = build_connector("rest", ConnectorSettings(**values))
        built.append(connector)
        return connector

    yield make
    for connector in built:
        connector.close()

