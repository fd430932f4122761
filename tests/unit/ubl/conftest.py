"""Shared helpers for the UBL tests: the official oracle from ../shared, when it is there."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

SHARED = Path("/work/shared")
CORPUS = SHARED / "corpus" / "ubl"
ORACLE = SHARED / "oracles" / "validate.py"


@pytest.fixture(scope="session")
def oracle() -> Any:
    """The official validator (OASIS XSD + CEN EN 16931 XSLT) from /work/shared/oracles/validate.py."""
    if not ORACLE.exists():
        pytest.skip(f"{ORACLE} is absent: the official EN 16931 oracle cannot run here")
    spec = importlib.util.spec_from_file_location("ubl_oracle_validate", ORACLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Validator()


def oracle_fatal(oracle: Any, data: bytes, tmp_path: Path, name: str) -> list[str]:
    """Fatal findings of the oracle on data (it validates files)."""
    path = tmp_path / name
    path.write_bytes(data)
    findings = oracle.validate(str(path))
    return [f"{f['id']} {f['location']} {f['text']}" for f in findings if f["flag"] == "fatal"]
