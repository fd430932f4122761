"""Entry points (CLI commands, REST and SOAP views, admin pages) reach the rest of the hub through
public names only: a command or a view that imports another module's `_private` function (or calls
it as `module._private`) ties two edges together behind the reader's back. Every entry-point module
is read as a syntax tree; a use fails here, naming file and line."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ("hub", "mappings", "connectors")


def is_entry_point(relative: str) -> bool:
    """`flask hub` command modules, the web edge, capabilities' REST/SOAP views and admin pages."""
    name = relative.rsplit("/", 1)[-1]
    return relative.startswith(("hub/cli/", "hub/api/")) or name in ("cli.py", "api.py", "soap.py") \
        or name.endswith(("_cli.py", "_api.py", "_pages.py"))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(relative: str, source: str) -> list[str]:
    """`file:line: name` for each private name of another project module the source imports or uses."""
    tree = ast.parse(source, filename=relative)
    modules: dict[str, str] = {}  # local name -> the project module (or name in it) it is bound to
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in PROJECT:
            for alias in node.names:
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                if _private(alias.name):
                    found.append((node.lineno, f"{relative}:{node.lineno}: {node.module}.{alias.name}"))
        elif isinstance(node, ast.Import):
            modules.update({alias.asname or alias.name: alias.name for alias in node.names
                            if alias.name.split(".")[0] in PROJECT})
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name) \
                and node.value.id in modules:
            found.append((node.lineno, f"{relative}:{node.lineno}: {modules[node.value.id]}.{node.attr}"))
    return [text for _, text in sorted(found)]


def _entry_points() -> list[Path]:
    paths = sorted(p for package in PROJECT for p in (ROOT / package).rglob("*.py")
                   if is_entry_point(p.relative_to(ROOT).as_posix()))
    assert {"hub/cli/erp.py", "hub/audit/api.py", "hub/erp/soap.py", "hub/admin/audit_pages.py",
            "hub/reconciliation/match_cli.py"} <= {p.relative_to(ROOT).as_posix() for p in paths}
    return paths


def test_no_entry_point_uses_another_modules_private_names() -> None:
    found = [use for path in _entry_points()
             for use in private_uses(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))]
    assert not found, ("make the function public in a module both can import (not another "
                       "command's or view's private helper):\n" + "\n".join(found))


def test_a_private_use_is_named_with_its_file_and_line() -> None:
    source = ("from flask import current_app\nfrom hub.audit.api import _filter, export\n"
              "from hub.invoicing import service\n\n\ndef view():\n"
              "    current_app._get_current_object()\n    return service._history(_filter())\n")
    assert private_uses("hub/admin/x_pages.py", source) == [
        "hub/admin/x_pages.py:2: hub.audit.api._filter",
        "hub/admin/x_pages.py:8: hub.invoicing.service._history"]
    assert private_uses("hub/cli/x.py", "import hub.cli.erp\nhub.cli.erp.connector_add()\n") == []
