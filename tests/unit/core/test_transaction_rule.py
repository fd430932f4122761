"""One transaction rule: only `hub.db.transaction()` commits.

A use case at the edge (one request, one job run, one CLI command) runs inside
`with transaction(session):`, which commits or rolls back; views, commands, jobs and services never
call `commit()` themselves. Every module of hub/, mappings/ and connectors/ is read as a syntax tree,
so a `.commit(` call anywhere else fails here, naming file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("hub", "mappings", "connectors")
# method -> the modules allowed to call it (relative to the repository root)
ALLOWED = {
    "commit": {"hub/db.py"},  # transaction(): the one place a unit of work is committed
    # the migration runner's and Alembic's own connection transactions
    "begin": {"hub/db.py", "hub/migrate.py", "hub/migrations/env.py"},
}


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def edge_violations(path: Path, source: str | None = None) -> list[str]:
    """`file:line: .commit()` for each call of a transaction-ending method outside its allowed modules."""
    relative = path.relative_to(ROOT).as_posix() if path.is_absolute() else path.as_posix()
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"), filename=relative)
    return [f"{relative}:{node.lineno}: .{node.func.attr}() outside {sorted(ALLOWED[node.func.attr])}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ALLOWED and relative not in ALLOWED[node.func.attr]]


def test_the_walk_sees_every_package() -> None:
    modules = {p.relative_to(ROOT).parts[0] for p in _modules()}
    assert modules == set(PACKAGES)
    assert len(_modules()) > 100


def test_only_the_transaction_helper_commits() -> None:
    found = [v for path in _modules() for v in edge_violations(path)]
    assert not found, "commit outside hub.db.transaction():\n" + "\n".join(found)


@pytest.mark.parametrize("snippet", [
    "def view(session):\n    session.commit()\n",
    "def job(make):\n    with make() as session:\n        session.add(1)\n        session.commit()\n",
    "def f():\n    get_session().commit()\n",
])
def test_a_commit_in_a_view_or_job_is_named_with_its_line(snippet: str) -> None:
    found = edge_violations(Path("hub/api/example.py"), snippet)
    assert len(found) == 1 and found[0].startswith("hub/api/example.py:")
    assert found[0].split(":")[1] == str(snippet.splitlines().index(
        next(line for line in snippet.splitlines() if "commit" in line)) + 1)


def test_the_transaction_helper_itself_may_commit() -> None:
    assert edge_violations(Path("hub/db.py"), "def t(session):\n    session.commit()\n") == []
