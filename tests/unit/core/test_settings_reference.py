"""docs/settings.md lists every environment setting, partner profile key and connector option the
code reads, and nothing it does not: a new one without its line (or a stale line) fails here."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

from hub import config
from hub.partners import domain as profiles
from hub.procurement import stock_pull
from hub.reconciliation import fetch
from hub.retention.domain import RetentionPolicy

ROOT = Path(__file__).resolve().parents[3]
DOC = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
ENV_NAME = re.compile(r"(HUB|DATABASE)_[A-Z0-9_]*[A-Z0-9]")
# strings shaped like settings that are not read from the environment: Flask config keys, an error code
NOT_ENVIRONMENT = {"HUB_SETTINGS", "HUB_ADMIN_IDLE_SECONDS", "HUB_ERROR", "DATABASE_BUSY"}
OPTION_READ = re.compile(r"(?:opts|options)(?:\.get\(|\[)\s*\"([a-z_]+)\"|_path\(\"([a-z_]+)\"")


def documented(section: str) -> set[str]:
    """The names in the first column of the tables under the `## section` heading."""
    body = DOC.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Za-z0-9_]+)` \|", body, flags=re.M))


def python_files(*folders: str) -> list[Path]:
    return [p for folder in folders for p in (ROOT / folder).rglob("*.py")]


def environment_settings() -> set[str]:
    names = {node.value for path in python_files("hub") for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Constant) and isinstance(node.value, str)
             and ENV_NAME.fullmatch(node.value)}
    names |= {f"HUB_{name.upper()}" for name in config._LIMITS}  # built as f"HUB_{name.upper()}"
    names |= {f"HUB_RETENTION_{f.name.upper()}" for f in dataclasses.fields(RetentionPolicy)}
    return names - NOT_ENVIRONMENT


def test_every_environment_setting_is_documented() -> None:
    found = environment_settings()
    assert "HUB_EDI_ID" in found and "HUB_MAX_VALUE_CHARS" in found  # the collection itself works
    assert found - documented("Environment settings") == set(), "add these to docs/settings.md"
    assert documented("Environment settings") - found == set(), "docs/settings.md lists these, the code not"


def test_every_partner_profile_key_is_documented() -> None:
    keys = {*profiles._FIELDS, *profiles._HUB_SETTINGS}
    assert keys == documented("Partner profile keys")


def test_every_connector_option_is_documented() -> None:
    options = {a or b for path in python_files("connectors", "hub")
               for a, b in OPTION_READ.findall(path.read_text())} | {stock_pull.OPTION, *fetch.OPTIONS}
    assert {"wsdl", "send_path", "allow_loopback"} <= options
    assert options == documented("Connector options")


def test_the_readme_links_the_reference_and_the_licence_is_apache_2() -> None:
    assert "docs/settings.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    assert "END OF TERMS AND CONDITIONS" in licence


def test_the_admin_pages_show_the_documented_meaning_of_each_profile_key() -> None:
    from hub.partners.profile_help import PROFILE_HELP

    body = DOC.split("## Partner profile keys\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Za-z0-9_]+)` \| (.*?) \| (.*?) \| (.*?) \|$", body, flags=re.M)
    assert {key: (default, meaning, example) for key, default, meaning, example in rows} == PROFILE_HELP
