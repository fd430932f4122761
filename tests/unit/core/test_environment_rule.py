"""Configuration comes from `hub.config.Settings`, passed from the edge: no other module reads the
environment, and no module carries settings on a session. Every module of hub/, mappings/ and
connectors/ is read as a syntax tree, so an `os.environ` or `os.getenv` anywhere else, or a
`session.info` outside hub/db.py, fails here, naming file and line."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("hub", "mappings", "connectors")
ALLOWED = {
    "hub/config.py": "Settings.from_env: every setting",
    # a credential stored as `env:NAME` is looked up when the connector uses it, by design (a
    # documented feature: the secret stays in the environment and never reaches the database)
    "connectors/base.py": "resolve_secret: a connector's env: credential references",
}
# `Session.info` is the session's own scratch space: hub/db.py keeps a unit of work's technical
# bookkeeping there (hub.db.work_items: the batches to close when it ends), and nothing else may
# use it, settings above all (they reach code as arguments).
SESSION_INFO_ALLOWED = {
    "hub/db.py": "work_items / take_work_items: a unit of work's bookkeeping, never configuration",
}
READERS = {"environ", "getenv", "environb", "getenvb"}


def environment_reads(relative: str, source: str) -> list[str]:
    """`file:line: os.environ` for each read of the process environment."""
    found = []
    for node in ast.walk(ast.parse(source, filename=relative)):
        if isinstance(node, ast.Attribute) and node.attr in READERS \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            found.append(f"{relative}:{node.lineno}: os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and READERS & {alias.name for alias in node.names}:
            found.append(f"{relative}:{node.lineno}: from os import {', '.join(a.name for a in node.names)}")
    return found


def session_info_uses(relative: str, source: str) -> list[str]:
    """`file:line: .info` for each use of an object's `info` that is not a call (`log.info(...)` is
    fine), and `file:line: info=` for each session or sessionmaker given an `info` mapping."""
    tree = ast.parse(source, filename=relative)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "info" and id(node) not in called:
            found.append((node.lineno, f"{relative}:{node.lineno}: .info"))
        elif isinstance(node, ast.Call) and any(k.arg == "info" for k in node.keywords):
            found.append((node.lineno, f"{relative}:{node.lineno}: info="))
    return [text for _, text in sorted(found)]


def _modules() -> list[Path]:
    modules = sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))
    assert len(modules) > 100
    return modules


def test_no_module_but_the_database_one_uses_session_info() -> None:
    found = [use for path in _modules()
             if (relative := path.relative_to(ROOT).as_posix()) not in SESSION_INFO_ALLOWED
             for use in session_info_uses(relative, path.read_text(encoding="utf-8"))]
    assert not found, ("pass Settings (or the value needed) as an argument instead of carrying it "
                       "on the session:\n" + "\n".join(found))


def test_a_session_info_use_is_named_with_its_file_and_line() -> None:
    source = ("def limits(session):\n    log.info('reading')\n"
              "    return session.info['settings'].max_message_segments\n")
    assert session_info_uses("hub/exchanges/x.py", source) == ["hub/exchanges/x.py:3: .info"]
    assert session_info_uses("hub/x.py", "s.info.setdefault('k', set())\n") == ["hub/x.py:1: .info"]
    assert session_info_uses("hub/x.py", "maker = sessionmaker(engine, info={'settings': s})\n") == [
        "hub/x.py:1: info="]
    assert session_info_uses("hub/x.py", "import logging\nlogging.getLogger().info('x')\n") == []


def test_no_module_but_the_settings_reads_the_environment() -> None:
    modules = _modules()
    found = [read for path in modules
             if (relative := path.relative_to(ROOT).as_posix()) not in ALLOWED
             for read in environment_reads(relative, path.read_text(encoding="utf-8"))]
    assert not found, "read the setting from hub.config.Settings instead:\n" + "\n".join(found)


def test_a_read_is_named_with_its_file_and_line() -> None:
    source = "import os\n\n\ndef public_url():\n    return os.environ.get('HUB_PUBLIC_URL')\n"
    assert environment_reads("hub/cli/admin.py", source) == ["hub/cli/admin.py:5: os.environ"]
    assert environment_reads("hub/x.py", "from os import getenv\n") == ["hub/x.py:1: from os import getenv"]
    assert environment_reads("hub/x.py", "import os\nos.getenv('HUB_EDI_ID')\n") == ["hub/x.py:2: os.getenv"]
