"""Find absolute machine paths named in the project's files (they make tests pass here, vanish elsewhere).

System paths that are the same on every machine the hub runs on (tmp, dev, proc, etc, usr, ...) and URL
paths are fine. Flagged: paths under the roots where machines keep checkouts and home folders (MACHINE_ROOTS),
Windows drive paths, and any path that names this checkout's own folder, wherever it is. A line that
shows a violation on purpose (the checker's own tests) ends with the marker EXAMPLE_MARK.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

MACHINE_ROOTS = ("work", "workspace", "home", "root", "Users", "mnt", "media", "opt", "srv", "scratch",
                 "data", "builds", "private", "Volumes", "nix", "gpfs", "shared")
SCANNED_SUFFIXES = {".py", ".ini", ".cfg", ".toml", ".json", ".yml", ".yaml", ".sh", ".txt", ".md", ".edi",
                    ".xml", ".csv", ".conf", ".mako", ".html", ".wsdl"}
_MACHINE_PATH = re.compile(
    r"(?<![\w.~/:-])/(?:" + "|".join(MACHINE_ROOTS) + r")(?:/[\w.@+-]+)+"  # a root, then a folder
    r"|\b[A-Za-z]:\\\\?[\w.-]+")                                              # a drive, then a folder
EXAMPLE_MARK = "# portability: deliberate example"
_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S*")


def machine_paths(text: str, checkout: Path | None = None) -> list[str]:
    """The absolute machine paths named in text (URLs are not paths)."""
    text = _URL.sub("", text)
    found = [m.group(0) for m in _MACHINE_PATH.finditer(text)]
    if checkout is not None and str(checkout) != "/":
        # the checkout's own location (its parent may be a system folder such as /tmp: not flagged)
        found += re.findall(re.escape(str(checkout)) + r"(?![\w.-])", text)
    return found


def scanned_files(root: Path, folders: Iterable[str]) -> Iterator[Path]:
    """Every text file of the project under the given folders (generated and vendored ones left out)."""
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix.lower() in SCANNED_SUFFIXES and "__pycache__" not in path.parts:
                yield path


def violations(root: Path, folders: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """'file:line: path' for every machine path in the scanned files."""
    skipped = tuple(root / e for e in exclude)
    out = []
    for path in scanned_files(root, folders):
        if any(path.is_relative_to(s) for s in skipped):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if line.rstrip().endswith(EXAMPLE_MARK):
                continue
            out += [f"{path.relative_to(root)}:{number}: {hit}" for hit in machine_paths(line, root)]
    return out
