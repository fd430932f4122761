"""Connectors by key: a connector row in the database names its key and holds its settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.base import Connector, ConnectorSettings
from connectors.file import FileConnector
from connectors.rest import RestConnector
from connectors.soap import SoapConnector
from hub.domain.errors import ConnectorError

ConnectorFactory = Callable[[ConnectorSettings], Connector]

CONNECTORS: dict[str, ConnectorFactory] = {
    "soap": SoapConnector,
    "rest": RestConnector,
    "file": FileConnector,
}


def register(key: str, factory: ConnectorFactory) -> None:
    """Add (or replace, e.g. with a fake in tests) the factory for `key`."""
    CONNECTORS[key] = factory


def build_connector(key: str, settings: ConnectorSettings | dict[str, Any]) -> Connector:
    """A connector for `key`; an unknown key or bad settings is a final ConnectorError."""
    factory = CONNECTORS.get(key)
    if factory is None:
        known = ", ".join(sorted(CONNECTORS))
        raise ConnectorError(f"unknown connector {key!r} (known: {known})", retryable=False)
    if isinstance(settings, dict):
        settings = ConnectorSettings.from_dict(settings)
    return factory(settings)
