"""No module of the hub reaches into another module's `_private` names: one capability (or one file of
it) uses another only through its public functions, so a private helper can change without a caller
elsewhere breaking behind the reader's back (issue 11). Every module under hub/, mappings/ and
connectors/ is read as a syntax tree; an import or an attribute use (`module._name`,
`hub.pkg.module._name`, relative imports included) of another project module's private name, or a
private attribute of another module's class on a parameter annotated with it, fails here, naming
file and line.

A module using its own privates is fine, and so is a package using its private submodules
(`hub/pkg/_impl.py` is `hub.pkg`'s own: its `__init__` may re-export from it, its modules import it).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROJECT = ("hub", "mappings", "connectors")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def module_name(relative: str) -> str:
    """`hub/invoicing/service.py` -> `hub.invoicing.service`; a package's `__init__.py` -> the package."""
    parts = relative.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str, root: Path) -> bool:
    path = root.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _allowed(user: str, dotted: str, root: Path) -> bool:
    """Whether module `user` may use `dotted`, whose last part is its first private one: a name (of a
    module, or of a class in it) is its module's own, a private module its package's own."""
    owner = dotted.rsplit(".", 1)[0]
    if _is_module(dotted, root):
        return user == owner or user.startswith(owner + ".")
    while "." in owner and not _is_module(owner, root):
        owner = owner.rsplit(".", 1)[0]
    return user == owner


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    """The module an import-from names, relative imports resolved against the importing package."""
    if not node.level:
        return node.module
    base = package.split(".")[:len(package.split(".")) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])]) or None


def _dotted(node: ast.expr, bound: dict[str, str]) -> str | None:
    """`a.b.c` for an attribute chain whose root name is bound to a project module (or a name in one)."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value, bound)
        return f"{base}.{node.attr}" if base else None
    return None


def _typed_parameters(function: ast.FunctionDef | ast.AsyncFunctionDef,
                      bound: dict[str, str]) -> dict[str, str]:
    """A function's parameters annotated with a project class (`profile: PartnerProfile`, `X | None`)."""
    typed = {}
    arguments = function.args
    for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]:
        annotation = arg.annotation
        sides = [annotation.left, annotation.right] if isinstance(annotation, ast.BinOp) else [annotation]
        for side in sides:
            dotted = _dotted(side, bound) if side is not None else None
            if dotted:
                typed[arg.arg] = dotted
    return typed


def private_uses(relative: str, source: str, root: Path = ROOT) -> list[str]:
    """`file:line: name` for each private name of another project module the source imports or uses."""
    tree = ast.parse(source, filename=relative)
    user = module_name(relative)
    package = user if relative.endswith("__init__.py") else user.rsplit(".", 1)[0]
    bound: dict[str, str] = {}  # local name -> the project module (or name in it) it is bound to
    found: list[tuple[int, str]] = []

    def check(lineno: int, dotted: str) -> None:
        parts = dotted.split(".")
        first = next((i for i, part in enumerate(parts) if _private(part)), None)
        if first is not None and first == len(parts) - 1 and not _allowed(user, dotted, root):
            found.append((lineno, f"{relative}:{lineno}: {dotted}"))

    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(node, package)
            if module and module.split(".")[0] in PROJECT:
                for part in range(2, module.count(".") + 2):
                    check(node.lineno, ".".join(module.split(".")[:part]))
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{module}.{alias.name}"
                    check(node.lineno, f"{module}.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in PROJECT:
                    for part in range(2, alias.name.count(".") + 2):
                        check(node.lineno, ".".join(alias.name.split(".")[:part]))
                    local = alias.asname or alias.name.split(".")[0]
                    bound[local] = alias.name if alias.asname else local
    scopes: list[tuple[ast.AST, dict[str, str]]] = [(tree, bound)]
    scopes += [(node, {**bound, **_typed_parameters(node, bound)}) for node in ast.walk(tree)
               if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)]
    for scope, names in scopes:
        for node in ast.walk(scope):
            if isinstance(node, ast.Attribute) and _private(node.attr):
                dotted = _dotted(node, names)
                if dotted:
                    check(node.lineno, dotted)
    return [text for _, text in sorted(set(found))]


def _modules() -> list[Path]:
    paths = sorted(p for package in PROJECT for p in (ROOT / package).rglob("*.py"))
    names = {p.relative_to(ROOT).as_posix() for p in paths}
    assert {"hub/invoicing/tracking.py", "hub/cli/erp.py", "hub/admin/audit_pages.py", "hub/__init__.py",
            "mappings/registry.py", "connectors/soap.py"} <= names
    return paths


def test_no_module_uses_another_modules_private_names() -> None:
    found = [use for path in _modules()
             for use in private_uses(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))]
    assert not found, ("give the callee a public, well-named function (or move the code where it "
                       "belongs) instead of reaching into its private one:\n" + "\n".join(found))


def test_a_private_use_is_named_with_its_file_and_line() -> None:
    source = ("from flask import current_app\nfrom hub.audit.api import _filter, export\n"
              "from hub.invoicing import service\n\n\ndef view():\n"
              "    current_app._get_current_object()\n    return service._history(_filter())\n")
    assert private_uses("hub/admin/x_pages.py", source) == [
        "hub/admin/x_pages.py:2: hub.audit.api._filter",
        "hub/admin/x_pages.py:8: hub.invoicing.service._history"]
    assert private_uses("hub/cli/x.py", "import hub.cli.erp\nhub.cli.erp.connector_add()\n") == []


def test_every_way_of_reaching_a_private_name_is_found() -> None:
    source = ("import hub.invoicing.service\nimport hub.invoicing.service as svc\n"
              "from . import service\nfrom .service import _queue\n\n"
              "hub.invoicing.service._move(1)\nsvc._history(2)\nservice._move(3)\n")
    assert private_uses("hub/invoicing/tracking.py", source) == [
        "hub/invoicing/tracking.py:4: hub.invoicing.service._queue",
        "hub/invoicing/tracking.py:6: hub.invoicing.service._move",
        "hub/invoicing/tracking.py:7: hub.invoicing.service._history",
        "hub/invoicing/tracking.py:8: hub.invoicing.service._move"]


def test_a_private_attribute_of_another_modules_class_is_found_on_a_typed_parameter() -> None:
    source = ("from mappings.edifact.profile import PartnerProfile\n\n\n"
              "def read(profile: PartnerProfile | None, other) -> None:\n"
              "    return profile._units, other._units, PartnerProfile._xref\n")
    assert private_uses("mappings/edifact/x.py", source) == [
        "mappings/edifact/x.py:5: mappings.edifact.profile.PartnerProfile._units",
        "mappings/edifact/x.py:5: mappings.edifact.profile.PartnerProfile._xref"]
    own = "class Profile:\n    _units = {}\n\n\ndef read(profile: Profile) -> None:\n    profile._units\n"
    assert private_uses("mappings/edifact/profile.py", own) == []


def test_a_module_uses_its_own_privates_and_a_package_its_private_modules(tmp_path: Path) -> None:
    (tmp_path / "hub" / "pkg").mkdir(parents=True)
    for name in ("__init__.py", "_impl.py", "user.py"):
        (tmp_path / "hub" / "pkg" / name).write_text("")
    assert private_uses("hub/pkg/user.py", "from hub.pkg import user\nuser._own()\n", tmp_path) == []
    assert private_uses("hub/pkg/__init__.py", "from hub.pkg._impl import thing as thing\n", tmp_path) == []
    assert private_uses("hub/pkg/user.py", "from ._impl import thing\n", tmp_path) == []
    assert private_uses("hub/other.py", "from hub.pkg._impl import thing\n", tmp_path) == [
        "hub/other.py:1: hub.pkg._impl"]
    assert private_uses("hub/other.py", "from hub.pkg import _impl\n", tmp_path) == [
        "hub/other.py:1: hub.pkg._impl"]
