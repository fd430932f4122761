"""Connectors are built by key from the settings a connector row stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.base import Connector, ConnectorSettings
from connectors.registry import CONNECTORS, build_connector
from hub.domain.errors import ConnectorError


def test_every_key_builds_a_connector(tmp_path: Path) -> None:
    settings: dict[str, dict[str, Any]] = {
        "soap": {"endpoint": "https://erp.example/soap", "options": {"wsdl": "fixtures/erp/test_erp.wsdl"}},
        "rest": {"endpoint": "https://erp.example/api"},
        "file": {"endpoint": str(tmp_path)},
    }
    assert set(settings) == set(CONNECTORS)
    for key, values in settings.items():
        assert isinstance(build_connector(key, values), Connector)


def test_an_unknown_key_is_a_final_error() -> None:
    with pytest.raises(ConnectorError) as info:
        build_connector("ftp", {"endpoint": "ftp://erp.example"})
    assert info.value.retryable is False
    assert "soap" in info.value.message


def test_stored_settings_round_trip_and_unknown_fields_are_refused() -> None:
    settings = ConnectorSettings(
        endpoint="https://erp.example/api", token="env:ERP_TOKEN", read_timeout=12,
        document_types=("invoice",), options={"send_path": "/in"},
    )
    assert ConnectorSettings.from_dict(settings.to_dict()) == settings
    assert settings.handles("invoice") and not settings.handles("purchase_order")
    with pytest.raises(ConnectorError):
        ConnectorSettings.from_dict({"endpoint": "https://erp.example", "pasword": "typo"})
    with pytest.raises(ConnectorError):
        ConnectorSettings.from_dict({"endpoint": "https://erp.example", "read_timeout": "soon"})


def test_credentials_are_resolved_from_the_environment_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ConnectorSettings(endpoint="https://erp.example", token="env:ERP_TOKEN", username="plain")
    monkeypatch.setenv("ERP_TOKEN", "one")
    assert settings.secret("token") == "one"
    monkeypatch.setenv("ERP_TOKEN", "two")
    assert settings.secret("token") == "two"
    assert settings.secret("username") == "plain"
    assert "two" not in str(settings.to_dict())
