"""One capability reaches another only through its public modules.

import-linter (`.importlinter`, run by `make lint`) keeps capabilities depending downward; this test
keeps each one's inside private. A capability's public modules are:
- `service`: its use cases as others call them, and the hooks others fill (`on_accepted`, ...);
- `queries`: what others read of it;
- `models`: its tables, for reading and joining only: a row is made, changed or deleted only by
  the capability that defines the table (through that capability's service). Checked twice: here,
  statically, where a module makes a row of another capability's table (`Model(...)`) or names it
  in an insert, update or delete; and at run time for every write the whole suite makes
  (tests/support/ownership.py), which also sees a column set on a row another capability loaded;
- `domain`: its pure types and rules.
Every other module (`outbox`, `connectors`, `api`, `processing`, ...) is private to its capability.
`hub.routing` is part of the exchanges capability (`exchanges : routing` in .importlinter); the
command-line module of a capability (`hub/cli/erp.py`) is part of that capability. Modules that
belong to no capability (the app factory, `hub.cli`'s group, `hub.api`, `hub.access`, the scheduler)
wire capabilities together and are not checked.

Every module of hub/ is read as a syntax tree (imports inside functions too), so a new import of a
private module fails here, naming file, line and module; a listed exception that is no longer
needed fails too, so the list only shrinks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.capabilities import CAPABILITY, capability_of, writer_of_tables_in

ROOT = Path(__file__).resolve().parents[3]
PUBLIC = frozenset({"service", "queries", "models", "domain"})
# (importing module, imported private module) -> why it is allowed for now
EXCEPTIONS: dict[tuple[str, str], str] = {}  # none left


def _module_name(path: Path) -> str:
    parts = list(path.with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(package: str, name: str) -> str:
    """`from package import name`: the submodule `package.name` when there is one, else `package`."""
    base = ROOT.joinpath(*package.split("."))
    if (base / f"{name}.py").exists() or (base / name / "__init__.py").exists():
        return f"{package}.{name}"
    return package


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, up level - 1 more
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[:len(anchor) - (node.level - 1)]
                package = ".".join(anchor + ([node.module] if node.module else []))
            else:
                package = node.module or ""
            out += [(node.lineno, _resolve(package, alias.name)) for alias in node.names]
    return out


def boundary_violations(path: Path, source: str | None = None) -> list[str]:
    """`file:line: imports X, private to capability C` for each import of another capability's private
    module by a module of a capability."""
    relative = path.relative_to(ROOT) if path.is_absolute() else path
    module = _module_name(relative)
    mine = capability_of(module)
    if mine is None:
        return []
    text = source if source is not None else (ROOT / relative).read_text(encoding="utf-8")
    found = []
    tree = ast.parse(text, filename=str(relative))
    for line, target in _imported(tree, module, relative.name == "__init__.py"):
        theirs = capability_of(target)
        if theirs is None or theirs == mine:
            continue
        parts = target.split(".")
        if (len(parts) > 2 and parts[2] in PUBLIC) or (module, target) in EXCEPTIONS:
            continue
        found.append(f"{relative.as_posix()}:{line}: imports {target}, private to capability {theirs} "
                     f"(use its {', '.join(sorted(PUBLIC))})")
    return found


def _modules() -> list[Path]:
    return sorted(p.relative_to(ROOT) for p in (ROOT / "hub").rglob("*.py"))


def test_the_walk_sees_every_capability() -> None:
    seen = {capability_of(_module_name(p)) for p in _modules()} - {None}
    assert seen == set(CAPABILITY.values())
    assert all((ROOT / "hub" / package).is_dir() for package in CAPABILITY)


def test_capabilities_reach_each_other_only_through_their_public_modules() -> None:
    found = [v for path in _modules() for v in boundary_violations(path)]
    assert not found, "a capability's private module imported by another:\n" + "\n".join(found)


def test_every_listed_exception_is_still_needed() -> None:
    used = {(_module_name(p), target) for p in _modules()
            for _, target in _imported(ast.parse((ROOT / p).read_text(encoding="utf-8")), _module_name(p),
                                       p.name == "__init__.py")}
    assert set(EXCEPTIONS) <= used, f"no longer imported, remove from EXCEPTIONS: {set(EXCEPTIONS) - used}"


@pytest.mark.parametrize(("where", "snippet"), [
    ("hub/admin/example.py", "from hub.erp.outbox import redeliver\n"),
    ("hub/admin/example.py", "from hub.erp import outbox\n"),
    ("hub/admin/example.py", "import hub.erp.outbox\n"),
    ("hub/procurement/example.py", "def f():\n    from hub.exchanges.processing import reprocess\n"),
    ("hub/invoicing/__init__.py", "from ..erp import connectors\n"),
    ("hub/cli/erp.py", "from hub.partners.credentials import hash_secret\n"),
    ("hub/routing/example.py", "from hub.partners.identities import addressed\n"),
])
def test_a_private_import_is_named_with_its_line(where: str, snippet: str) -> None:
    found = boundary_violations(Path(where), snippet)
    assert len(found) == 1, found
    assert found[0].startswith(f"{where}:{snippet.count(chr(10))}: imports hub.")


@pytest.mark.parametrize(("where", "snippet"), [
    ("hub/admin/example.py", "from hub.erp.service import redeliver\n"),
    ("hub/admin/example.py", "from hub.erp import service as outbox\n"),
    ("hub/procurement/example.py", "from hub.records.models import Document, Exchange\n"),
    ("hub/invoicing/example.py", "from hub.partners import domain as profiles\n"),
    ("hub/reconciliation/example.py", "from hub.audit.queries import verify_trail\n"),
    ("hub/erp/example.py", "from hub.erp.outbox import redeliver\n"),  # inside its own capability
    ("hub/exchanges/example.py", "from hub.routing.to_partners import route\n"),  # exchanges : routing
    ("hub/cli/erp.py", "from hub.erp.connectors import add_connector\n"),  # a capability's own commands
    ("hub/api/example.py", "from hub.erp.outbox import redeliver\n"),  # no capability: not checked
])
def test_public_modules_and_a_capabilitys_own_are_allowed(where: str, snippet: str) -> None:
    assert boundary_violations(Path(where), snippet) == []


# statements and helpers that write the table (a model class) they are given
WRITERS = frozenset({"insert", "update", "delete", "insert_rows", "insert_values", "update_values",
                     "insert_unless_present"})


def write_violations(path: Path, source: str | None = None) -> list[str]:
    """`file:line: makes/writes X, a table of C` where a module of a capability makes a row of a table
    another capability writes (`Model(...)`) or hands it to an insert, update or delete."""
    relative = path.relative_to(ROOT) if path.is_absolute() else path
    module = _module_name(relative)
    mine = capability_of(module)
    if mine is None:
        return []
    tree = ast.parse(source if source is not None else (ROOT / relative).read_text(encoding="utf-8"))
    owners: dict[str, str] = {}  # a name bound here to another capability's table -> its writer
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[-1].endswith("models"):
            writer = writer_of_tables_in(node.module)
            if writer is not None and writer != mine:
                owners.update({(alias.asname or alias.name): writer for alias in node.names})
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if func in owners:
            found.append(f"{relative.as_posix()}:{node.lineno}: makes a row of {func}, "
                         f"a table of {owners[func]}")
        elif func in WRITERS:
            named = [a.id for a in node.args if isinstance(a, ast.Name) and a.id in owners]
            found += [f"{relative.as_posix()}:{node.lineno}: {func}({name}): writes a table of {owners[name]}"
                      for name in named]
    return found


def test_a_capability_writes_only_its_own_tables() -> None:
    found = [v for path in _modules() for v in write_violations(path)]
    assert not found, "a table written by a capability that does not own it (ask its service):\n" + \
        "\n".join(found)


@pytest.mark.parametrize(("where", "snippet"), [
    ("hub/invoicing/example.py", "from hub.partners.models import Company\nCompany(name='x')\n"),
    ("hub/reconciliation/example.py",
     "from hub.records.models import Exchange\nfrom sqlalchemy import update\nupdate(Exchange)\n"),
    ("hub/retention/example.py",
     "from hub.erp.models import OutboxEntry as O\nfrom sqlalchemy import delete\ndelete(O)\n"),
    ("hub/procurement/example.py",
     "from hub.jobruns.models import JobRun\nfrom hub.bulk import insert_rows\ninsert_rows(s, JobRun, [])\n"),
])
def test_a_write_into_another_capabilitys_table_is_named_with_its_line(where: str, snippet: str) -> None:
    found = write_violations(Path(where), snippet)
    assert len(found) == 1 and found[0].startswith(f"{where}:{snippet.count(chr(10))}: "), found


@pytest.mark.parametrize(("where", "snippet"), [
    ("hub/invoicing/example.py", "from hub.partners.models import Company as C\nselect(C).join(C.y)\n"),
    ("hub/exchanges/example.py", "from hub.records.models import Exchange\nExchange(raw=b'')\n"),  # writer
    ("hub/partners/example.py", "from hub.partners.models import Company\nCompany(name='x')\n"),  # its own
    ("hub/api/example.py", "from hub.partners.models import Company\nCompany(name='x')\n"),  # no capability
])
def test_reads_and_a_capabilitys_own_writes_are_allowed(where: str, snippet: str) -> None:
    assert write_violations(Path(where), snippet) == []


def test_every_table_is_defined_by_a_capability_and_only_gathered_by_hub_models() -> None:
    from hub import models  # noqa: F401  (every table on the metadata)
    from hub.db import Base

    homes = {mapper.class_.__name__: mapper.class_.__module__ for mapper in Base.registry.mappers}
    assert {"Partner", "User", "ApiCredential", "Exchange", "Document", "AuditEvent", "ErpConnector",
            "OutboundDelivery", "OutboxEntry", "StockLevel"} <= set(homes)
    stray = {name: home for name, home in homes.items()
             if capability_of(home) is None or not home.split(".")[-1].endswith("models")}
    assert not stray, f"tables defined outside a capability's models module: {stray}"
    tree = ast.parse((ROOT / "hub" / "models.py").read_text(encoding="utf-8"))
    defined = [node for node in tree.body if not isinstance(node, ast.Import | ast.ImportFrom | ast.Expr)
               and not (isinstance(node, ast.Assign) and [t.id for t in node.targets
                                                           if isinstance(t, ast.Name)] == ["__all__"])]
    assert defined == [], "hub/models.py only imports (and lists them in __all__)"


def test_code_imports_each_table_from_its_capability_not_from_hub_models() -> None:
    gatherers = {"hub/models.py", "hub/migrations/env.py"}  # Alembic sees every table through hub.models
    found = []
    for package in ("hub", "mappings", "connectors", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative.as_posix() in gatherers:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            found += [f"{relative.as_posix()}:{line}" for line, target
                      in _imported(tree, _module_name(relative), path.name == "__init__.py")
                      if target == "hub.models"]
    assert not found, "import the table from its capability's models module:\n" + "\n".join(found)
