"""The conformance material the suite carries (tests/conformance/): corpus files and the official validator.

Every list of corpus files is counted: a folder that yields another number of files than expected fails at
collection, so a conformance test can never pass by collecting nothing.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path
from typing import Any

CONFORMANCE = Path(__file__).resolve().parents[1] / "conformance"
CORPUS = CONFORMANCE / "corpus"
EDIFACT_CORPUS = CORPUS / "edifact"
UBL_CORPUS = CORPUS / "ubl"
ORACLE = CONFORMANCE / "oracles" / "validate.py"


class MissingConformanceFiles(AssertionError):
    """The suite's own conformance files are not all there: the checkout is incomplete."""


def counted(files: list[Path], expected: int, what: str) -> list[Path]:
    """files, after checking there are exactly `expected` of them (never zero by accident)."""
    if len(files) != expected or not files:
        raise MissingConformanceFiles(
            f"{what}: expected {expected} files, found {len(files)} under {CONFORMANCE}")
    return files


def corpus_files(folder: Path, pattern: str, expected: int) -> list[Path]:
    """The files of a corpus folder matching pattern, sorted, checked against their expected number."""
    found = sorted(p for p in folder.glob(pattern) if p.is_file())
    return counted(found, expected, f"{folder.name}/{pattern}")


def corpus_file(relative: str) -> Path:
    """One corpus file by its path under corpus/ (edifact/... or ubl/...); it must exist."""
    path = CORPUS / relative
    if not path.is_file():
        raise MissingConformanceFiles(f"{path} is missing")
    return path


@cache
def oracle_module() -> Any:
    """The independent validator module (tests/conformance/oracles/validate.py)."""
    if not ORACLE.is_file():
        raise MissingConformanceFiles(f"{ORACLE} is missing")
    spec = importlib.util.spec_from_file_location("conformance_oracle_validate", ORACLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def oracle_fatal(oracle: Any, data: bytes, tmp_path: Path, name: str) -> list[str]:
    """Fatal findings of the oracle on data (it validates files)."""
    path = tmp_path / name
    path.write_bytes(data)
    findings = oracle.validate(str(path))
    return [f"{f['id']} {f['location']} {f['text']}" for f in findings if f["flag"] == "fatal"]
