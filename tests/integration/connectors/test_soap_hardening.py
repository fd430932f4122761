"""A hostile or careless WSDL must not make the hub read local files, expand entities or fetch URLs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors.base import ConnectorSettings
from connectors.soap import GuardedTransport, SoapConnector
from hub.domain.errors import ConnectorError
from tests.integration.connectors.conftest import ERP_WSDL
from tests.support.erp_state import TestErp
from tests.support.servers import ErpServer

Erp = tuple[TestErp, ErpServer]

WSDL_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:evil" targetNamespace="urn:evil">
{body}
</wsdl:definitions>
"""


def _wsdl(folder: Path, body: str, doctype: str = "", name: str = "erp.wsdl") -> Path:
    path = folder / name
    path.write_text(WSDL_HEAD.format(doctype=doctype, body=body), encoding="utf-8")
    return path


def _schema_import(location: str) -> str:
    return f"""<wsdl:types><xs:schema targetNamespace="urn:evil">
  <xs:import namespace="urn:other" schemaLocation="{location}"/>
</xs:schema></wsdl:types>"""


def _refusal(wsdl: Path | str, endpoint: str = "http://127.0.0.1:9/", **options: object) -> ConnectorError:
    """Load `wsdl` the way a delivery would; returns the ConnectorError it must raise."""
    options = {"wsdl": str(wsdl), "allow_loopback": True, **options}
    settings = ConnectorSettings(endpoint=endpoint, options=options)
    with pytest.raises(ConnectorError) as info:
        SoapConnector(settings).load()
    assert info.value.retryable is False  # a hostile WSDL is configuration: retrying changes nothing
    return info.value


def test_a_schema_import_of_file_etc_passwd_is_refused(tmp_path: Path) -> None:
    error = _refusal(_wsdl(tmp_path, _schema_import("file:///etc/passwd")))
    # zeep's force_https turns it into https:///etc/passwd on the way: refused either way.
    assert "/etc/passwd" in error.message


def test_a_wsdl_import_of_file_etc_passwd_is_refused(tmp_path: Path) -> None:
    body = '<wsdl:import namespace="urn:other" location="file:///etc/passwd"/>'
    error = _refusal(_wsdl(tmp_path, body))
    assert "refused" in error.message


def test_an_absolute_or_escaping_local_import_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "wsdl"
    folder.mkdir()
    (tmp_path / "secret.xsd").write_text("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'/>")
    assert "outside the allowed folders" in _refusal(_wsdl(folder, _schema_import("/etc/passwd"))).message
    assert "outside the allowed folders" in _refusal(_wsdl(folder, _schema_import("../secret.xsd"))).message


def test_a_wsdl_with_entities_is_refused(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE wsdl:definitions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    body = "<wsdl:documentation>&xxe;</wsdl:documentation>"
    error = _refusal(_wsdl(tmp_path, body, doctype))
    assert "DTD" in error.message or "ntit" in error.message


def test_a_billion_laughs_wsdl_is_refused(tmp_path: Path) -> None:
    doctype = '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    _refusal(_wsdl(tmp_path, "<wsdl:documentation>&b;</wsdl:documentation>", doctype))


def test_an_external_http_import_is_refused_without_a_request(tmp_path: Path, rest_erp: Erp) -> None:
    """Even to a host the policy would allow, a WSDL may not pull in further documents over HTTP."""
    erp, server = rest_erp
    error = _refusal(_wsdl(tmp_path, _schema_import(server.url + "stock-levels")))
    assert "refused" in error.message
    assert erp.calls == 0


def test_an_https_import_from_a_host_not_on_the_allow_list_is_refused(tmp_path: Path) -> None:
    _refusal(_wsdl(tmp_path, _schema_import("https://attacker.example/evil.xsd")))


def test_a_wsdl_outside_the_allowed_folders_is_refused(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    error = _refusal(ERP_WSDL, wsdl_folders=[str(allowed)])
    assert "outside the allowed folders" in error.message


def test_a_wsdl_given_as_a_file_url_is_refused() -> None:
    _refusal(f"file://{ERP_WSDL}")


def test_a_wsdl_url_on_a_host_not_on_the_allow_list_is_refused() -> None:
    _refusal("https://attacker.example/erp.wsdl", endpoint="https://erp.example/soap")


def test_a_copied_wsdl_inside_its_folder_still_loads(tmp_path: Path, soap_erp: Erp) -> None:
    """The guard refuses the hostile cases only: a local copy in its own folder works."""
    wsdl = tmp_path / "test_erp.wsdl"
    shutil.copy(ERP_WSDL, wsdl)
    options = {"wsdl": str(wsdl), "allow_loopback": True}
    settings = ConnectorSettings(endpoint=soap_erp[1].url, options=options)
    assert SoapConnector(settings).health().ok is True


@pytest.mark.parametrize(
    "endpoint",
    ["http://erp.example/soap", "ftp://erp.example/soap", "file:///etc/passwd", "http://10.0.0.8/soap"],
)
def test_endpoints_other_than_https_or_allowed_loopback_are_refused(endpoint: str) -> None:
    settings = ConnectorSettings(endpoint=endpoint, options={"wsdl": str(ERP_WSDL)})
    with pytest.raises(ConnectorError) as info:
        SoapConnector(settings)
    assert info.value.retryable is False


def test_loopback_http_needs_the_explicit_test_switch() -> None:
    settings = ConnectorSettings(endpoint="http://127.0.0.1:9/", options={"wsdl": str(ERP_WSDL)})
    with pytest.raises(ConnectorError):
        SoapConnector(settings)


def test_the_transport_session_has_no_file_adapter() -> None:
    settings = ConnectorSettings(endpoint="https://erp.example/soap", options={"wsdl": str(ERP_WSDL)})
    transport = GuardedTransport(SoapConnector(settings).policy, (1.0, 1.0))
    assert sorted(transport.session.adapters) == ["http://", "https://"]
    with pytest.raises(ConnectorError):
        transport.session.get("file:///etc/passwd")
    with pytest.raises(ConnectorError):
        transport.load("file:///etc/passwd")
